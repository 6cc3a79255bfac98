"""Cut tests/data/lists/sdn-slice.csv from the shared OFAC SDN file (run from the repo root).

Keeps the chosen entries byte for byte, in the file's order, with OFAC's CRLF line ends and
the closing 0x1A byte, so the parser meets the real layout. Usage:
    python tests/data/lists/cut_sdn.py ../shared/lists/ofac-sdn-2024-05-03.csv
"""

import sys
from pathlib import Path

KEEP = {
    # named in issue 16 and the development articles
    "25237", "28103", "28104", "28105", "28106", "28107", "28108", "28110", "28124", "12927", "36408", "26694",
    # look-alikes that a loose matcher would confuse with them
    "11195", "23464", "45612", "15130", "24706", "17237", "24536", "29112", "46350", "46074", "47399",
    "11396", "18971", "35096", "22022",
    # aircraft: a registration mark as the name, one as a remark, and a near-identical mark
    "41416", "33373", "15438", "18150",
    # an alias that starts with an apostrophe ('ABD AL-MUHSI)
    "7150",
}

src = Path(sys.argv[1]).read_bytes()
lines = src.split(b"\r\n")
kept = [line for line in lines if line.split(b",", 1)[0].decode() in KEEP]
out = b"\r\n".join(kept) + b"\r\n\x1a"
Path(__file__).with_name("sdn-slice.csv").write_bytes(out)
print(f"{len(kept)} entries, {len(out)} bytes")
