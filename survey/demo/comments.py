"""What the demo's respondents write under the open question, by subject: after a contact ("what
could we do better?") and after a meeting ("remarks or tips for next time?").

A respondent who is pleased praises what went best; one who is not names what went worst.
"""

from __future__ import annotations

from dataclasses import dataclass

PRAISE = {
    "reachability": (
        "Altijd snel iemand aan de lijn, ook als het druk was.",
        "Fijn dat ik direct een mobiel nummer kreeg.",
    ),
    "expertise": (
        "Wist precies hoe het bestemmingsplan in elkaar zat, dat scheelde ons veel tijd.",
        "Goede kennis van subsidies voor ondernemers, ik wist niet dat die regeling bestond.",
    ),
    "speed": (
        "Binnen twee dagen had ik antwoord, dat had ik van een gemeente niet verwacht.",
        "Snel geschakeld met de afdeling vergunningen, top.",
    ),
    "agreements": (
        "Ze belde terug wanneer ze had gezegd, heel prettig.",
        "Alles wat is afgesproken is ook gebeurd. Complimenten.",
    ),
    "thinking_along": (
        "Er werd echt met ons meegedacht in plaats van alleen regels opgenoemd.",
        "Kwam zelf met een alternatieve locatie, daar hadden we niet aan gedacht.",
    ),
    "clarity": (
        "Duidelijk verhaal, ik weet nu precies wat ik moet aanleveren.",
        "Heldere uitleg over de stappen en de termijnen.",
    ),
    "proactive": (
        "Ik werd steeds op de hoogte gehouden, zonder dat ik hoefde te bellen.",
        "Kreeg uit zichzelf een update toen de aanvraag was doorgestuurd.",
    ),
}
COMPLAINTS = {
    "reachability": (
        "Moeilijk bereikbaar, ik kreeg steeds de voicemail.",
        "Op vrijdag is er niemand te bereiken, dat is lastig voor ondernemers.",
    ),
    "expertise": (
        "Meer kennis van onze branche zou helpen.",
        "Ik moest zelf uitzoeken welke vergunning nodig was.",
    ),
    "speed": (
        "Het duurde drie weken voordat er iets gebeurde met mijn vraag.",
        "Ik had graag eerder een terugkoppeling gehad over de vergunning.",
        "Alles gaat erg traag, terwijl wij een deadline hebben.",
    ),
    "agreements": (
        "Afspraak om terug te bellen werd niet nagekomen.",
        "Er zou een mail komen met de vervolgstappen, die is nooit gekomen.",
    ),
    "thinking_along": (
        "Er werd vooral gezegd wat niet kan, niet wat wel kan.",
        "Ik miste het gevoel dat de gemeente ondernemers wil helpen.",
    ),
    "clarity": (
        "De informatie op de website sluit niet aan bij wat ik hoorde.",
        "Onduidelijk welke formulieren ik nu precies moet invullen.",
    ),
    "proactive": (
        "Ik moest zelf steeds navragen hoe het ervoor stond.",
        "Geen bericht gekregen toen de aanvraag was afgewezen.",
    ),
}
GENERAL = (
    "Prima contact, ga zo door.",
    "Prettig gesprek, goed dat de gemeente dit doet.",
    "Geen verbeterpunten, dank voor de hulp.",
)
ENGLISH = (
    "Quick and friendly help, thank you.",
    "It would help to have the information in English as well.",
    "I had to chase the follow-up myself.",
)


@dataclass(frozen=True)
class Remarks:
    """What respondents write under the open question, by the statement that went best or
    worst."""

    praise: dict[str, tuple[str, ...]]
    complaints: dict[str, tuple[str, ...]]
    general: tuple[str, ...]
    english: tuple[str, ...]


CONTACT_REMARKS = Remarks(PRAISE, COMPLAINTS, GENERAL, ENGLISH)

# After a meeting: workshops, learning-network sessions, klantarena's, information evenings.
EVENT_REMARKS = Remarks(
    praise={
        "relevance": (
            "Precies de onderwerpen waar ik in de praktijk mee te maken heb.",
            "Eindelijk een bijeenkomst over de praktijk in plaats van over beleid.",
        ),
        "speakers": (
            "De spreker wist het concreet te maken met voorbeelden uit andere gemeenten.",
            "Heel fijn dat er ruimte was voor vragen, de sprekers namen er de tijd voor.",
        ),
        "organisation": (
            "Goed geregeld: duidelijke uitnodiging, op tijd begonnen en goede koffie.",
            "Prettige zaal en een strak programma.",
        ),
        "usefulness": (
            "Ik heb de checklist de dag erna al gebruikt in een gesprek met een ondernemer.",
            "Ik neem de werkwijze mee naar mijn eigen werk.",
        ),
    },
    complaints={
        "relevance": (
            "Te algemeen, ik had meer over kleine bedrijven willen horen.",
            "Veel herhaling van de vorige keer.",
        ),
        "speakers": (
            "De presentatie was lang en er bleef weinig tijd over voor de discussie.",
            "De spreker las vooral de dia's voor.",
        ),
        "organisation": (
            "De zaal was te klein en het geluid was slecht achterin.",
            "De uitnodiging kwam laat, daardoor konden anderen niet komen.",
            "Parkeren was lastig, zet dat volgende keer in de uitnodiging.",
        ),
        "usefulness": (
            "Interessant, maar ik weet nog niet wat ik er morgen mee moet.",
            "Graag de volgende keer een praktische vertaling naar de dagelijkse praktijk.",
        ),
    },
    general=(
        "Goede bijeenkomst, ik kom graag weer.",
        "Leuk om anderen uit de regio te ontmoeten en ervaringen te delen.",
        "Dank voor de organisatie!",
    ),
    english=(
        "Useful session, thank you for the English summary.",
        "It would help to have the slides in English.",
    ),
)
