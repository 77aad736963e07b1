"""The pin picker's sentences in the page's language, one set for every map that places a pin."""

from __future__ import annotations

from flask_babel import gettext as _

from geoservice.maps.report_map import PinTexts


def pin_texts() -> PinTexts:
    """What the pin picker says: the resident form, partners' events and safety walks alike."""
    return PinTexts(
        placed=_("Plats markerad i %(area)s. Dra nålen om den inte står rätt.", area="%(area)s"),
        placed_plain=_("Plats markerad."),
        outside=_("Platsen ligger utanför Melleruds kommun. Markera en plats i kommunen."),
        outside_kept=_(
            "Platsen ligger utanför Melleruds kommun. Markera en plats i kommunen. "
            "Din tidigare markering finns kvar."
        ),
        zoomed=_(
            "Kartan visar nu gatunivå. Stämmer nålen? Tryck på Bekräfta platsen, tryck "
            "på den exakta platsen eller dra nålen dit."
        ),
        located=_(
            "Din position är markerad (inom %(accuracy)s m). Dra nålen om den inte står rätt.",
            accuracy="%(accuracy)s",
        ),
        no_location=_("Din position kunde inte hämtas. Markera platsen på kartan i stället."),
        centre_disabled=_("Zooma in till gatunivå först, så att kartans mitt är en exakt plats."),
    )
