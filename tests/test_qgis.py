"""QGIS opens tremplin.gpkg styled: default styles in layer_styles, names for codes, a choropleth
whose rendered colours are the classes of the configured indicator.

The file-level checks (layer_styles rows, field domains, metadata, a bad indicator) run with GDAL
alone; the rest loads the layers headless with PyQGIS and skips (77) only when qgis is not importable.
"""
import os
import subprocess
from osgeo import gdal, ogr
from tplib import *

gdal.UseExceptions()
YLGNBU = ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]  # as the printed maps
REASONS = ["works", "study", "financing", "allocation", "repair", "other"]


def quantile_classes(values, k=5):
    """The classes tremplin promises: up to k quantile classes, fewer when values repeat."""
    v = sorted(values)
    n = len(v)
    k = min(k, n)
    breaks = [v[0]]
    for i in range(k):
        upper = v[((i + 1) * n + k - 1) // k - 1]
        if len(breaks) == 1 or upper > breaks[-1]:
            breaks.append(upper)
    return breaks


def class_of(value, breaks):
    """QGIS takes the first range with lower <= value <= upper."""
    for i in range(len(breaks) - 1):
        if breaks[i] <= value <= breaks[i + 1]:
            return i
    return None


d = workdir("qgis")
out = os.path.join(d, "out")
p = run("demo", "-o", out, "-q")
check(p.returncode == 0, "demo runs: " + p.stderr)
gp = os.path.join(out, "tremplin.gpkg")

# ---- the file, read with GDAL and SQLite ----
rc, msg = validate_gpkg(gp)
check(rc == 0, "validate_gpkg -k --extra --warning-as-error: " + msg)
rows = gpkg_rows(gp, "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName,"
                     " useAsDefault, length(styleQML) > 0, owner FROM layer_styles ORDER BY id")
check([r[2] for r in rows] == ["communes", "candidates", "vacancies", "count_zones", "occupations",
                              "trends", "count_zones_editions"],
      "one default style per map layer, occupations and trends: %r" % [r[2] for r in rows])
check(all(r[0] == "" and r[1] == "" and r[3] == ("" if r[2] == "trends" else "geom") and r[5] == 1
          and r[6] for r in rows),
      "styles as QGIS looks them up: empty schema, geometry column geom (none for trends),"
      " useAsDefault: %r" % rows)
cols = [r[1] for r in gpkg_rows(gp, "PRAGMA table_info(layer_styles)")]
check(cols == ["id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName",
               "styleQML", "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"],
      "layer_styles has QGIS's columns: %r" % cols)
check(gpkg_rows(gp, "SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'") == [("attributes",)],
      "layer_styles registered as attributes")

ds = gdal.OpenEx(gp, gdal.OF_VECTOR)
dom = ds.GetFieldDomain("owner_type")
check(dom is not None and dom.GetDomainType() == ogr.OFDT_CODED and dom.GetEnumeration().get("sisp") == "SISP / OVM",
      "owner_type domain names sisp 'SISP / OVM': %r" % (dom and dom.GetEnumeration()))
dom = ds.GetFieldDomain("vacancy_reason")
check(dom is not None and sorted(dom.GetEnumeration()) == sorted(REASONS)
      and "(R1)" in dom.GetEnumeration()["works"], "reason domain: %r" % (dom and dom.GetEnumeration()))
dom = ds.GetFieldDomain("candidate_flag")
check(dom is not None and sorted(dom.GetEnumeration()) == ["0", "1"], "candidate domain")
for layer, field, domain in [("vacancies", "owner_type", "owner_type"), ("vacancies", "reason", "vacancy_reason"),
                             ("vacancies", "candidate", "candidate_flag"), ("candidates", "owner_type", "owner_type")]:
    defn = ds.GetLayerByName(layer).GetLayerDefn()
    got = defn.GetFieldDefn(defn.GetFieldIndex(field)).GetDomainName()
    check(got == domain, "%s.%s carries the domain %s: %r" % (layer, field, domain, got))
md = ds.GetMetadata()
db = store(out)
meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
db.close()
check(md.get("TREMPLIN_VERSION") == meta["tremplin_version"], "metadata: version %r" % md.get("TREMPLIN_VERSION"))
check(md.get("REFERENCE_DATE") == "2024-11-07", "metadata: reference date %r" % md.get("REFERENCE_DATE"))
check("[communes]" in md.get("CONFIG", "") and "[zones]" in md.get("CONFIG", ""), "metadata: the config text")
check(all("%s: " % k in md.get("SOURCES", "") for k in ("communes", "vacancies", "zones"))
      and "zones.gpkg" in md.get("SOURCES", ""), "metadata: the sources %r" % md.get("SOURCES"))
ds = None
ref = gpkg_rows(gp, "SELECT r.reference_scope, m.md_scope FROM gpkg_metadata_reference r"
                    " JOIN gpkg_metadata m ON m.id = r.md_file_id")
check(("geopackage", "dataset") in ref, "dataset metadata in gpkg_metadata: %r" % ref)

# another indicator and language, read from the config
ini = open(os.path.join(out, "inputs", "tremplin.ini"), encoding="utf-8").read()
write(os.path.join(d, "fr.ini"), ini.replace("path = ", "path = %s/" % os.path.join(out, "inputs"))
      + "\n[outputs]\nindicator = need\nlanguage = fr\nmaps = no\ndashboard = no\n")
out_fr = os.path.join(d, "fr")
p = run("run", "-c", os.path.join(d, "fr.ini"), "-o", out_fr, "-q")
check(p.returncode == 0, "run with indicator = need, language = fr: " + p.stderr)
gp_fr = os.path.join(out_fr, "tremplin.gpkg")
qml = gpkg_rows(gp_fr, "SELECT styleQML FROM layer_styles WHERE f_table_name = 'communes'")[0][0]
check('attr="need"' in qml, "the choropleth follows [outputs] indicator")
ds = gdal.OpenEx(gp_fr, gdal.OF_VECTOR)
check(ds.GetFieldDomain("owner_type").GetEnumeration()["sisp"] == "SISP", "French names with language = fr")
ds = None
write(os.path.join(d, "bad.ini"), ini.replace("path = ", "path = %s/" % os.path.join(out, "inputs"))
      + "\n[outputs]\nindicator = name_fr\nmaps = no\ndashboard = no\n")
p = run("run", "-c", os.path.join(d, "bad.ini"), "-o", os.path.join(d, "bad"), "-q")
check(p.returncode == 3 and "[outputs] indicator: 'name_fr' is not a number of the communes layer" in p.stderr,
      "an indicator that is not a number: exit 3 naming it: %d %r" % (p.returncode, p.stderr))
check(not os.path.exists(os.path.join(d, "bad", "tremplin.gpkg")), "and no GeoPackage")

# ---- the real client ----
try:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if "XDG_RUNTIME_DIR" not in os.environ:
        os.makedirs(os.path.join(d, "xdg"), mode=0o700)
        os.environ["XDG_RUNTIME_DIR"] = os.path.join(d, "xdg")
    from qgis.core import (QgsApplication, QgsVectorLayer, QgsMapSettings, QgsMapRendererParallelJob,
                           QgsSymbolLayer, QgsExpressionContext, QgsExpressionContextUtils, QgsFeatureRequest)
    from qgis.PyQt.QtGui import QColor
    from qgis.PyQt.QtCore import QSize
except ImportError as e:
    print("test_qgis: PyQGIS is not importable (%s)" % e)
    if failures:
        finish("test_qgis")
    sys.exit(SKIP)

app = QgsApplication([], False)
app.initQgis()


def layer(path, name):
    lyr = QgsVectorLayer("%s|layername=%s" % (path, name), name, "ogr")
    check(lyr.isValid(), "QGIS opens layer %s" % name)
    return lyr


communes = layer(gp, "communes")
r = communes.renderer()
check(r.type() == "graduatedSymbol", "communes: graduated renderer, got %s" % r.type())
check(r.classAttribute() == "people_total", "communes coloured by people_total: %r" % r.classAttribute())
values = [f["people_total"] for f in communes.getFeatures() if f["people_total"] is not None]
breaks = quantile_classes(values)
got = [(g.lowerValue(), g.upperValue()) for g in r.ranges()]
check(got == list(zip(breaks, breaks[1:])), "5 quantile classes %r, got %r" % (breaks, got))
colours = [g.symbol().color().name() for g in r.ranges()]
check(colours == YLGNBU, "YlGnBu palette, as the maps: %r" % colours)

# labels: each commune's name and published figure, placed by QGIS's labelling engine
check(communes.labelsEnabled() and communes.labeling() is not None, "communes are labelled")
if communes.labeling() is not None:
    from qgis.core import QgsExpression
    lab = communes.labeling().settings()
    check(lab.isExpression, "the label is an expression: %r" % lab.fieldName)
    ctx = QgsExpressionContext()
    ctx.appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(communes))
    texts = {}
    for f in communes.getFeatures():
        ctx.setFeature(f)
        texts[f["nis_code"]] = QgsExpression(lab.fieldName).evaluate(ctx)
    for f in communes.getFeatures():
        want = f["name_fr"] + ("\n" + f["name_nl"] if f["name_nl"] != f["name_fr"] else "") + \
            "\n" + f["people_total_label"]
        check(texts[f["nis_code"]] == want, "commune %s labelled %r, not %r"
              % (f["nis_code"], texts[f["nis_code"]], want))

# render the communes with their default style and look at each commune's inside (without
# the labels, which sit there)
settings = QgsMapSettings()
settings.setFlag(QgsMapSettings.DrawLabeling, False)
settings.setLayers([communes])
settings.setDestinationCrs(communes.crs())
settings.setOutputSize(QSize(900, 900))
settings.setBackgroundColor(QColor(255, 255, 255))
extent = communes.extent()
extent.scale(1.05)
settings.setExtent(extent)
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
img = job.renderedImage()
png = os.path.join(d, "communes.png")
check(img.save(png, "PNG") and os.path.getsize(png) > 1000, "communes rendered to %s" % png)
m2p = settings.mapToPixel()
seen = set()
for f in communes.getFeatures():
    v = f["people_total"]
    if v is None:
        continue
    pt = m2p.transform(f.geometry().pointOnSurface().asPoint())
    px = img.pixelColor(int(round(pt.x())), int(round(pt.y()))).name()
    want = YLGNBU[class_of(v, breaks)]
    seen.add(want)
    check(px == want, "commune %s (%s people): pixel %s, class colour %s" % (f["nis_code"], v, px, want))
check(len(seen) == 5, "all five classes drawn: %r" % sorted(seen))

vac = layer(gp, "vacancies")
r = vac.renderer()
check(r.type() == "categorizedSymbol" and r.classAttribute() == "reason",
      "vacancies categorised by reason: %s %r" % (r.type(), getattr(r, "classAttribute", lambda: None)()))
check([c.value() for c in r.categories()] == REASONS, "one category per reason: %r"
      % [c.value() for c in r.categories()])
check(len({c.symbol().color().name() for c in r.categories()}) == len(REASONS), "a colour per reason")
reg = QgsApplication.fieldFormatterRegistry()


def shown(lyr, field, value):
    """What QGIS shows for a stored value of field: the value map's name."""
    i = lyr.fields().indexOf(field)
    setup = lyr.editorWidgetSetup(i)
    return setup.type(), reg.fieldFormatter(setup.type()).representValue(lyr, i, setup.config(), None, value)


kind, text = shown(vac, "owner_type", "sisp")
check(kind == "ValueMap" and text == "SISP / OVM", "owner_type sisp shows %r (%s)" % (text, kind))
kind, text = shown(vac, "reason", "works")
check(kind == "ValueMap" and "(R1)" in text and text != "works", "reason works shows %r" % text)
kind, text = shown(vac, "candidate", 1)
check(kind == "ValueMap" and text.startswith("candidat"), "candidate 1 shows %r" % text)

cand = layer(gp, "candidates")
r = cand.renderer()
check(r.type() == "singleSymbol", "candidates: one symbol, got %s" % r.type())
prop = r.symbol().symbolLayer(0).dataDefinedProperties().property(QgsSymbolLayer.PropertySize)
check(prop.isActive() and '"dwellings"' in prop.expressionString(), "sized by dwellings: %r" % prop.expressionString())
ctx = QgsExpressionContext()
ctx.appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(cand))
sizes = []
for f in cand.getFeatures(QgsFeatureRequest().addOrderBy("dwellings")):
    ctx.setFeature(f)
    sizes.append((f["dwellings"], prop.valueAsDouble(ctx, 0)[0]))
check(len(sizes) > 2 and sizes[0][1] < sizes[-1][1] and all(a[1] <= b[1] for a, b in zip(sizes, sizes[1:])),
      "more dwellings, bigger circle: %r" % (sizes[:3] + sizes[-3:]))
# a legend of the sizes, as the printed overview's: 1, about half the largest, the largest
ddl = r.dataDefinedSizeLegend()
check(ddl is not None, "candidates: a data-defined size legend")
items = r.legendSymbolItems()
db = store(out)
mx = db.execute("SELECT MAX(dwellings) FROM vacancies WHERE candidate = 1").fetchone()[0]
db.close()
labels = [i.label() for i in items if i.symbol() is not None]
want = [printed(str(v)) for v in (1, mx // 2 // 5 * 5, mx)]
check(labels == want, "size legend for %r dwellings, got %r" % (want, labels))
sz = [i.symbol().size() for i in items if i.symbol() is not None]
check(len(sz) == 3 and sz[0] < sz[1] < sz[2], "the legend's circles grow: %r" % sz)
if len(sz) == 3:
    ctx.setFeature(next(cand.getFeatures(QgsFeatureRequest().addOrderBy("dwellings", False))))
    check(abs(sz[2] - prop.valueAsDouble(ctx, 0)[0]) < 1e-6, "the largest legend circle is the"
          " largest candidate's: %r vs %r" % (sz[2], prop.valueAsDouble(ctx, 0)[0]))
colour = r.symbol().color()
check((colour.red(), colour.green(), colour.blue()) == (0xe6, 0x55, 0x0d),
      "candidates in the printed maps' orange: %s" % colour.name())
kind, text = shown(cand, "owner_type", "cpas")
check(text == "CPAS / OCMW", "candidates owner_type cpas shows %r" % text)

zones = layer(gp, "count_zones")
check(zones.renderer().type() == "singleSymbol", "count zones styled")

# the count's editions: trends (an attribute table) with its categories by name, every
# edition's zones styled as count_zones
trends = layer(gp, "trends")
check(trends.featureCount() == 20 * 4 * 7, "trends: 20 places x 4 editions x 7 figures, got %d"
      % trends.featureCount())
kind, text = shown(trends, "category", "third_parties")
check(kind == "ValueMap" and text == "Hébergés chez des tiers / Bij derden ondergebracht",
      "trends category third_parties shows %r (%s)" % (text, kind))
region = [f for f in trends.getFeatures() if f["nis_code"] in (None, "") or f["nis_code"] != f["nis_code"]
          or str(f["nis_code"]) == "NULL"]
totals = {f["edition"]: f["value"] for f in region if f["category"] == "people_total"}
check(sorted(totals) == ["2018", "2020", "2022", "2024"] and abs(totals["2024"] - 9777) <= 5,
      "QGIS reads the region's totals per edition: %r" % totals)
ez = layer(gp, "count_zones_editions")
check(ez.renderer().type() == "singleSymbol" and ez.featureCount() == 4 * 70,
      "count_zones_editions styled, 4 editions of 70 zones: %d" % ez.featureCount())

# The occupation register: categories by status, the status shown by its name.
occ = layer(gp, "occupations")
r = occ.renderer()
check(r.type() == "categorizedSymbol" and r.classAttribute() == "status"
      and [c.value() for c in r.categories()] == ["planned", "running", "ended"],
      "occupations: categories by status, got %s %r" % (r.type(), r.classAttribute()))
kind, text = shown(occ, "status", "running")
check(kind == "ValueMap" and text == "en cours / lopend", "occupation status running shows %r" % text)

fr = layer(gp_fr, "communes")
check(fr.renderer().type() == "graduatedSymbol" and fr.renderer().classAttribute() == "need",
      "indicator = need: graduated on need")
kind, text = shown(layer(gp_fr, "vacancies"), "owner_type", "sisp")
check(text == "SISP", "language = fr: owner_type sisp shows %r" % text)

# tremplin join's GeoPackage opens styled too: the polygons coloured by their count.
gen = os.path.join(os.path.dirname(TREMPLIN), "tremplin-benchgen")
jd = os.path.join(d, "join.gpkg")
subprocess.run([gen, "polygons", "50", jd, "--layer", "cells", "--seed", "3"], check=True)
subprocess.run([gen, "points", "3000", jd, "--layer", "pts", "--seed", "4"], check=True)
located = os.path.join(d, "located.gpkg")
p = run("join", jd, jd, "--layer1", "cells", "--layer2", "pts", "--key", "id", "-o", located, "-q")
check(p.returncode == 0, "join to a GeoPackage: " + p.stderr)
polys = layer(located, "polygons")
r = polys.renderer()
check(r.type() == "graduatedSymbol" and r.classAttribute() == "count",
      "join's polygons: graduated by count, got %s %r" % (r.type(), r.classAttribute()))
seen = quantile_classes([f["count"] for f in polys.getFeatures()])
got = [(g.lowerValue(), g.upperValue()) for g in r.ranges()]
check(got == list(zip(seen, seen[1:])), "join's classes are the quantiles of the counts: %r" % got)
check(layer(located, "points").featureCount() == 3000, "QGIS reads the 3,000 located points")

# Tearing QGIS down under Python's garbage collector can crash after the work is done:
# report and leave without it.
print("test_qgis: %s" % ("ok" if not failures else "%d failed" % len(failures)))
sys.stdout.flush()
sys.stderr.flush()
os._exit(1 if failures else 0)
