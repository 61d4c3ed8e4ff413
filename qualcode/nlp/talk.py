"""Words of talk, not of topic: backchannels, courtesies, fillers and hedges, per language.

:mod:`qualcode.nlp.substance` does not count these as content words ("Yeah, sure, fine." says
nothing to code however many words it has), and treats a sentence that opens with thanks or
closes a conversation as a courtesy. Negations are the opposite case: spaCy lists "never",
"nicht", "jamais" as stop words, yet "I had never heard of it" says what it says because of
one; a negation counts as one content word.

The lists cover the languages studies are most often run in (English, German, French,
Spanish, Italian, Dutch, Portuguese). Any other language the detector names is judged by
its spaCy stop words, the three-word rule and the header rule alone. Words are lower-case;
phrases are matched as token sequences (the language's own tokenizer cuts them, so
"d'accord" is matched as spaCy splits it).
"""

from __future__ import annotations

import re

TALK_WORDS: dict[str, str] = {
    "en": "yes yeah yep yup yea nope okay ok alright right sure exactly maybe perhaps "
    "definitely absolutely totally indeed true fine great perfect cool lovely wonderful "
    "brilliant excellent super awesome thanks thank sorry pardon "
    "hello hi hey bye goodbye cheers welcome pleasure um umm uh uhm erm er ehm hmm hm mhm "
    "mm ah oh ooh wow huh aha ha haha gosh honestly basically actually literally anyway "
    "laughs laughter pause",
    "de": "ja jo jep jawohl genau okay ok gut super klar stimmt richtig prima toll perfekt "
    "schön danke bitte hallo tschüss tschüs servus moin wunderbar vielleicht sicher "
    "natürlich eben halt mal also naja äh ähm öh hm hmm mhm aha achso ach oh interessant "
    "ehrlich verstehe lacht lachen pause",
    "fr": "oui ouais voilà bon bien super parfait exactement exact certainement évidemment "
    "sûr peut-être merci pardon désolé désolée bonjour salut euh heu hum hm ah oh bah ben "
    "bref enfin alors ok okay intéressant rires",
    "es": "sí vale claro bueno bien exacto exactamente perfecto genial gracias perdón "
    "perdona perdone disculpa disculpe hola adiós pues eh em mm ah oh vaya ok okay quizás "
    "quizá interesante risas",
    "it": "sì certo esatto esattamente bene benissimo perfetto ok okay grazie prego scusa "
    "scusi ciao salve allora ecco beh boh mah ehm eh mm ah oh magari forse interessante "
    "ride",
    "nl": "ja jawel precies oké ok goed prima klopt zeker natuurlijk misschien dank bedankt "
    "sorry hallo hoi doei eh uh hm hmm mm ah oh nou tja interessant lacht",
    "pt": "sim claro certo exato exatamente bem perfeito ótimo beleza ok okay obrigado "
    "obrigada desculpa desculpe olá oi tchau talvez né pois então ah oh hum eh "
    "interessante risos",
}

TALK_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "a bit",
        "a little bit",
        "a little",
        "a lot",
        "kind of",
        "sort of",
        "of course",
        "you know",
        "i mean",
        "i guess",
        "thank you",
        "all right",
        "no problem",
        "no worries",
        "take care",
        "go ahead",
        "see you",
        "nice to meet you",
        "mm-hm",
        "uh-huh",
    ),
    "de": (
        "vielen dank",
        "danke schön",
        "bitte schön",
        "ein bisschen",
        "auf jeden fall",
        "na ja",
        "ach so",
        "alles klar",
        "keine ursache",
        "kein problem",
    ),
    "fr": (
        "d'accord",
        "bien sûr",
        "merci beaucoup",
        "au revoir",
        "un peu",
        "c'est ça",
        "pas de problème",
        "de rien",
        "je vous en prie",
        "s'il vous plaît",
    ),
    "es": (
        "muchas gracias",
        "de nada",
        "por supuesto",
        "un poco",
        "tal vez",
        "lo siento",
        "de acuerdo",
        "o sea",
        "no pasa nada",
        "hasta luego",
    ),
    "it": ("va bene", "grazie mille", "un po'", "d'accordo", "di niente", "per favore"),
    "nl": ("dank je", "dank u", "dank je wel", "dank u wel", "een beetje", "geen probleem"),
    "pt": (
        "muito obrigado",
        "muito obrigada",
        "de nada",
        "com certeza",
        "um pouco",
        "tudo bem",
        "está bem",
        "tá bom",
        "de acordo",
    ),
}

NEGATIONS: dict[str, str] = {
    "en": "not n't n’t no never nothing nobody none neither nor nowhere cannot",
    "de": "nicht nie niemals nichts niemand kein keine keinen keinem keiner keines nein",
    "fr": "ne n' n’ pas jamais rien personne aucun aucune non",
    "es": "no nunca nada nadie ningún ninguno ninguna jamás tampoco ni",
    "it": "non mai niente nulla nessuno nessuna né",
    "nl": "niet nooit niets niemand geen nee",
    "pt": "não nunca nada ninguém nenhum nenhuma jamais nem",
}

# Words spaCy lists as stop words that a study codes: "Die Prüfungen lassen mir keine Zeit."
# is about time. They count as content words.
NOT_STOP: dict[str, str] = {
    "de": "zeit jahr jahre jahren tag tage tagen ende teil",
}

# A sentence that opens with thanks (after "okay, so,"), or that closes a conversation, is a
# courtesy however many words follow ("Thank you for taking the time to talk to me today.");
# "thanks to", "dank der", "gracias a" are not thanks.
_LEAD = r"^\W*(?:(?:okay|ok|so|well|great|right|alright|yes|yeah|also|gut|ja|bon|bueno|vale)\W+)*"
_COURTESIES: dict[str, str] = {
    "en": r"(?:thank you|thanks(?!\s+to\b)|many thanks)\b|(?:it was )?nice (?:to|talking)\b"
    r"|have a (?:good|nice|great)\b|all the best\b|good luck\b|take care\b",
    "de": r"(?:vielen |herzlichen |besten )?dank(?:e)?(?:\s+schön)?\b"
    r"(?!\s+(?:der|des|dem|den|einer|eines)\b)|alles gute\b|schönen (?:tag|abend)\b|viel erfolg\b",
    "fr": r"merci\b|bonne (?:journée|soirée|continuation)\b",
    "es": r"(?:muchas )?gracias\b(?!\s+a\b)|que (?:te|le) vaya bien\b",
    "it": r"(?:grazie|grazie mille)\b(?!\s+a\b)|buona (?:giornata|serata)\b",
    "nl": r"(?:dank je|dank u|bedankt)\b|fijne dag\b",
    "pt": r"(?:muito )?obrigad[oa]s?\b|tenha um bom\b",
}
COURTESY: dict[str, re.Pattern[str]] = {
    lang: re.compile(_LEAD + f"(?:{pattern})", re.IGNORECASE)
    for lang, pattern in _COURTESIES.items()
}

# Keys of a transcript's metadata lines ("Date: 12 March 2024", "Interviewer: AB"), in any
# of the languages above: a "Key: value" line with one of these keys is a header.
HEADER_KEYS = frozenset(
    "date time duration length place location venue mode setting study project title "
    "interview interviewer interviewee respondent participant participants moderator "
    "transcript transcription transcriber recording file audio age gender sex role "
    "semester site session group id code language notes note "
    "datum zeit dauer ort modus studie projekt titel interviewerin befragte befragter "
    "teilnehmer teilnehmerin teilnehmende transkript transkription aufnahme datei alter "
    "geschlecht rolle sprache "
    "heure durée lieu étude projet titre enquêteur enquêtrice enquêté enquêtée "
    "transcription enregistrement fichier âge sexe rôle langue "
    "fecha hora duración lugar estudio proyecto título entrevistador entrevistadora "
    "entrevistado entrevistada participante transcripción grabación archivo edad género "
    "sexo rol idioma "
    "data ora durata luogo studio progetto titolo intervistatore intervistato "
    "partecipante trascrizione registrazione età genere ruolo lingua "
    "datum tijd duur plaats deelnemer transcriptie opname leeftijd geslacht rol taal "
    "duração local entrevistador participante transcrição gravação idade gênero papel".split()
)


def words(language: str) -> frozenset[str]:
    """The talk words of ``language`` (an empty set for a language without a list)."""
    return frozenset(TALK_WORDS.get(language, "").split())


def negations(language: str) -> frozenset[str]:
    """The negation words of ``language`` (an empty set for a language without a list)."""
    return frozenset(NEGATIONS.get(language, "").split())
