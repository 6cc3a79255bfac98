"""The top-level `summarizer --help`, written out: printing it needs neither typer nor any
command's module, so the first thing a new user runs answers at once.

`TOP` is exactly what typer prints for `summarizer --help` at the usual help width (78
columns, used on any terminal at least 80 wide and when the output is not a terminal);
`cli.main` prints it only then, and leaves every other case to typer. tests/test_cli_help.py
fails when it drifts from typer's rendering (a command or top-level option added, a help
text changed); then replace it with the output of

    COLUMNS=80 python -m summarizer.cli.root --help
"""

TOP = """\
Usage: summarizer [OPTIONS] COMMAND [ARGS]...

  A grounded, checkable account of a news article: summary, allegations,
  sanctions targets and verbatim quotes, each pointing back into the text.

Options:
  --version             Print the version and exit.
  --install-completion  Install completion for the current shell.
  --show-completion     Show completion for the current shell, to copy it or
                        customize the installation.
  --help                Show this message and exit.

Commands:
  summarize  Summarize one article and print the grounded result (JSON by...
  batch      Summarize many articles into OUT.jsonl, one line per input,...
  render     Render a batch output file as review pages, Markdown, CSV or...
  eval       Summarize every gold article and score the results (targets...
  cache      Show where the results cache is and how big it is, or clear it.
  schema     Print the JSON Schema of the output, for other programs.
  screen     Screen names against sanctions lists and print the matches...
  models     List the known local models for --backend local: size,...
  providers  List the providers (endpoint, key variable and whether it is...
  lists      Show the sanctions lists (name, date, entries), or download...
  logs       The run history: every summarize run and every batch or eval...
"""
