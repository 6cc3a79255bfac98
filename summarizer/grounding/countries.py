"""Countries by their English name, with the other words an article may name them by.

Used by grounding: a `country` field may resolve to a country the article names only by its
adjective ("Iranian" -> Iran) or in German ("Russland" -> Russia), and a summary sentence may
say "Iranian" of an article that says "Iran". A closed, hand-checked table (no library ships
demonyms); countries that news about sanctions and conflicts names most, plus the G20 and the
flags and offshore places that sanctions releases name (Panama, Liberia, the Marshall Islands, ...).
Format per line: English name | other English forms and adjectives | German forms.
"""

from __future__ import annotations

from functools import cache

_TABLE = """
Afghanistan | Afghan, Afghans | Afghanistan, afghanisch, afghanische, afghanischen
Albania | Albanian | Albanien, albanisch, albanische, albanischen
Algeria | Algerian | Algerien, algerisch, algerische, algerischen
Argentina | Argentine, Argentinian | Argentinien, argentinisch, argentinische, argentinischen
Armenia | Armenian | Armenien, armenisch, armenische, armenischen
Australia | Australian | Australien, australisch, australische, australischen
Austria | Austrian | Österreich, österreichisch, österreichische, österreichischen
Azerbaijan | Azerbaijani, Azeri | Aserbaidschan, aserbaidschanisch, aserbaidschanische
Bahamas | The Bahamas, Bahamian | Bahamas
Bahrain | Bahraini | Bahrain
Bangladesh | Bangladeshi | Bangladesch
Belarus | Belarusian, Belarussian | Belarus, Weißrussland, belarussisch, belarussische, belarussischen
Belgium | Belgian | Belgien, belgisch, belgische, belgischen
Belize | Belizean | Belize
Bolivia | Bolivian | Bolivien
Brazil | Brazilian | Brasilien, brasilianisch, brasilianische, brasilianischen
British Virgin Islands | BVI | Britische Jungferninseln
Bulgaria | Bulgarian | Bulgarien, bulgarisch, bulgarische, bulgarischen
Burma | Burmese, Myanmar | Myanmar, Birma
Cambodia | Cambodian | Kambodscha
Canada | Canadian | Kanada, kanadisch, kanadische, kanadischen
Cayman Islands | Caymans | Kaimaninseln
Chile | Chilean | Chile
China | Chinese, PRC | China, chinesisch, chinesische, chinesischen
Colombia | Colombian | Kolumbien, kolumbianisch, kolumbianische
Cuba | Cuban | Kuba, kubanisch, kubanische, kubanischen
Cyprus | Cypriot | Zypern, zyprisch, zyprische, zyprischen
Czech Republic | Czech, Czechia | Tschechien, tschechisch, tschechische, tschechischen
Denmark | Danish | Dänemark, dänisch, dänische, dänischen
Ecuador | Ecuadorian | Ecuador
Egypt | Egyptian | Ägypten, ägyptisch, ägyptische, ägyptischen
Eritrea | Eritrean | Eritrea, eritreisch
Estonia | Estonian | Estland, estnisch, estnische, estnischen
Ethiopia | Ethiopian | Äthiopien, äthiopisch, äthiopische, äthiopischen
Finland | Finnish | Finnland, finnisch, finnische, finnischen
France | French | Frankreich, französisch, französische, französischen
Georgia | Georgian | Georgien, georgisch, georgische, georgischen
Germany | German | Deutschland, deutsch, deutsche, deutschen
Ghana | Ghanaian | Ghana
Greece | Greek | Griechenland, griechisch, griechische, griechischen
Guatemala | Guatemalan | Guatemala
Haiti | Haitian | Haiti
Honduras | Honduran | Honduras
Hong Kong | | Hongkong
Hungary | Hungarian | Ungarn, ungarisch, ungarische, ungarischen
India | Indian | Indien, indisch, indische, indischen
Indonesia | Indonesian | Indonesien, indonesisch, indonesische
Iran | Iranian, Iranians, Persian | Iran, iranisch, iranische, iranischen
Iraq | Iraqi | Irak, irakisch, irakische, irakischen
Ireland | Irish | Irland, irisch, irische, irischen
Israel | Israeli | Israel, israelisch, israelische, israelischen
Italy | Italian | Italien, italienisch, italienische, italienischen
Japan | Japanese | Japan, japanisch, japanische, japanischen
Jordan | Jordanian | Jordanien, jordanisch, jordanische
Kazakhstan | Kazakh, Kazakhstani | Kasachstan, kasachisch, kasachische
Kenya | Kenyan | Kenia
Kuwait | Kuwaiti | Kuwait
Kyrgyzstan | Kyrgyz | Kirgisistan
Latvia | Latvian | Lettland, lettisch, lettische, lettischen
Lebanon | Lebanese | Libanon, libanesisch, libanesische, libanesischen
Liberia | Liberian | Liberia
Libya | Libyan | Libyen, libysch, libysche, libyschen
Lithuania | Lithuanian | Litauen, litauisch, litauische, litauischen
Malaysia | Malaysian | Malaysia
Mali | Malian | Mali
Malta | Maltese | Malta
Marshall Islands | Marshallese | Marshallinseln
Mexico | Mexican | Mexiko, mexikanisch, mexikanische, mexikanischen
Moldova | Moldovan | Moldau, Moldawien, moldauisch
Mongolia | Mongolian | Mongolei
Morocco | Moroccan | Marokko
Netherlands | Dutch | Niederlande, niederländisch, niederländische, niederländischen
Nicaragua | Nicaraguan | Nicaragua
Nigeria | Nigerian | Nigeria
North Korea | North Korean, DPRK | Nordkorea, nordkoreanisch, nordkoreanische, nordkoreanischen
Norway | Norwegian | Norwegen, norwegisch, norwegische, norwegischen
Oman | Omani | Oman
Pakistan | Pakistani | Pakistan, pakistanisch, pakistanische
Palestine | Palestinian | Palästina, palästinensisch, palästinensische, palästinensischen
Panama | Panamanian | Panama
Peru | Peruvian | Peru
Philippines | Filipino, Philippine | Philippinen
Poland | Polish | Polen, polnisch, polnische, polnischen
Portugal | Portuguese | Portugal, portugiesisch, portugiesische
Qatar | Qatari | Katar, katarisch
Romania | Romanian | Rumänien, rumänisch, rumänische, rumänischen
Russia | Russian, Russians, Russian Federation | Russland, russisch, russische, russischen
Saudi Arabia | Saudi | Saudi-Arabien, saudisch, saudische, saudischen
Serbia | Serbian | Serbien, serbisch, serbische, serbischen
Seychelles | Seychellois | Seychellen
Singapore | Singaporean | Singapur
Slovakia | Slovak, Slovakian | Slowakei, slowakisch, slowakische
Somalia | Somali | Somalia, somalisch, somalische
South Africa | South African | Südafrika, südafrikanisch, südafrikanische
South Korea | South Korean, Republic of Korea | Südkorea, südkoreanisch, südkoreanische, südkoreanischen
South Sudan | South Sudanese | Südsudan
Spain | Spanish | Spanien, spanisch, spanische, spanischen
Sri Lanka | Sri Lankan | Sri Lanka
Sudan | Sudanese | Sudan, sudanesisch, sudanesische, sudanesischen
Sweden | Swedish | Schweden, schwedisch, schwedische, schwedischen
Switzerland | Swiss | Schweiz, schweizerisch, schweizerische, Schweizer
Syria | Syrian | Syrien, syrisch, syrische, syrischen
Taiwan | Taiwanese | Taiwan, taiwanisch, taiwanische
Tajikistan | Tajik | Tadschikistan
Thailand | Thai | Thailand
Tunisia | Tunisian | Tunesien
Turkey | Turkish, Türkiye | Türkei, türkisch, türkische, türkischen
Turkmenistan | Turkmen | Turkmenistan
Ukraine | Ukrainian | Ukraine, ukrainisch, ukrainische, ukrainischen
United Arab Emirates | UAE, Emirati, U.A.E. | Vereinigte Arabische Emirate, VAE, emiratisch
United Kingdom | U.K., UK, Britain, Great Britain, British | Großbritannien, Vereinigtes Königreich, britisch, britische, britischen
United States | U.S., US, USA, U.S.A., America, American | USA, Vereinigte Staaten, amerikanisch, amerikanische, amerikanischen, US-amerikanisch
Uzbekistan | Uzbek | Usbekistan
Venezuela | Venezuelan | Venezuela, venezolanisch, venezolanische, venezolanischen
Vietnam | Vietnamese | Vietnam, vietnamesisch, vietnamesische
Yemen | Yemeni | Jemen, jemenitisch, jemenitische, jemenitischen
Zimbabwe | Zimbabwean | Simbabwe
"""


@cache
def _forms() -> dict[str, tuple[str, ...]]:
    """English name -> every form (the name itself first), as written in the table."""
    table: dict[str, tuple[str, ...]] = {}
    for line in _TABLE.strip().splitlines():
        name, english, german = (part.strip() for part in line.split("|"))
        others = [w.strip() for w in f"{english},{german}".split(",") if w.strip()]
        table[name] = (name, *dict.fromkeys(o for o in others if o != name))
    return table


@cache
def _by_form() -> dict[str, str]:
    """Any form, casefolded -> English name."""
    return {form.casefold(): name for name, forms in _forms().items() for form in forms}


def country_of(word: str) -> str | None:
    """The English country name for a name, adjective or German form ("Iranian" -> "Iran"), and
    for an abbreviation that lost its final full stop to the end of a sentence or a trim ("U.S")."""
    key = word.strip().casefold()
    by_form = _by_form()
    return by_form.get(key) or (by_form.get(key + ".") if "." in key and not key.endswith(".") else None)


def forms_of(country: str) -> tuple[str, ...]:
    """Every form of a country given by any of its forms; () if it is not in the table."""
    name = country_of(country)
    return _forms()[name] if name else ()
