"""Finding 2 of issue 13: hostile village and cluster values in the standalone export run no
script when the downloaded file is opened in Chromium, and show as the text they are."""

from __future__ import annotations

from selenium.webdriver.support.ui import WebDriverWait

from webmap.export import village_map_html

#: Each payload sets a flag when it runs: through HTML, a template literal or a closed script.
HOSTILE = (
    '<img src=x onerror="window.__xss1=1">'
    "${window.__xss2=1}"
    "`;window.__xss3=1;`"
    "</script><script>window.__xss4=1</script>"
    "\\`${window.__xss5=1}"
)


def _export() -> str:
    village = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [105.91, 20.98]},
        "properties": {
            "name": "Bát " + HOSTILE,
            "description_en": "desc " + HOSTILE,
            "opening_hours": "Mo-Su " + HOSTILE,
        },
    }
    square = [[105.90, 20.97], [105.92, 20.97], [105.92, 20.99], [105.90, 20.99], [105.90, 20.97]]
    clusters = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [square]},
                "properties": {"name": "CCN " + HOSTILE, "ref": "X"},
            }
        ],
    }
    labels = {
        "craft": "Craft",
        "craft_name": "Ceramics " + HOSTILE,
        "opening_hours": "Opening hours",
        "clusters": "Clusters",
    }
    return village_map_html(
        village, clusters, lang="en", basemap_url="", attribution="", labels=labels
    )


def test_export_with_hostile_values_runs_no_script(browser, tmp_path):
    path = tmp_path / "hostile.html"
    path.write_text(_export(), encoding="utf-8")
    browser.get(path.as_uri())
    WebDriverWait(browser, 20).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    flags = "return [1, 2, 3, 4, 5].filter(i => window['__xss' + i] !== undefined)"
    assert browser.execute_script(flags) == []
    WebDriverWait(browser, 20).until(
        lambda d: (
            d.execute_script("return document.querySelectorAll('.leaflet-interactive').length") >= 2
        )
    )
    shown = browser.execute_script(
        """
        const texts = [];
        const layers = [];
        for (const key of Object.keys(window)) {
          const v = window[key];
          if (v && v._layers && v.eachLayer) v.eachLayer(l => layers.push(l));
        }
        for (const l of layers) {
          if (l.getPopup && l.getPopup()) {
            l.openPopup(); texts.push(l.getPopup().getElement().innerText);
          }
          if (l.getTooltip && l.getTooltip()) {
            l.openTooltip(l.getLatLng ? l.getLatLng() : l.getBounds().getCenter());
            texts.push(l.getTooltip().getElement().innerText);
          }
          if (l.eachLayer) l.eachLayer(s => {
            if (s.getTooltip && s.getTooltip()) {
              s.openTooltip(s.getBounds().getCenter());
              texts.push(s.getTooltip().getElement().innerText);
            }
          });
        }
        return texts;
        """
    )
    assert browser.execute_script(flags) == []  # opening popups and tooltips ran nothing
    assert browser.title.startswith("Bát <img")
    joined = "\n".join(shown)
    assert "desc " + HOSTILE in joined  # the popup shows the value as text
    assert "CCN " + HOSTILE in joined  # the cluster tooltip too
    assert joined.count(HOSTILE) >= 4  # name and description in the popup, two tooltips
