"""No input makes tremplin reach the network: a VRT naming a URL, a /vsicurl/ path given as an input
or a URL as join's points are refused (exit 4, naming the file) before anything connects.  A local
listening socket stands in for the server and must see no connection."""
import os
import select
import socket
from tplib import *

d = workdir("network")
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.bind(("127.0.0.1", 0))
srv.listen(8)
port = srv.getsockname()[1]
url = "http://127.0.0.1:%d/zones.csv" % port


def connected():
    """1 when something connected to the socket since the last call (and drops it)."""
    hit = 0
    while select.select([srv], [], [], 0.2)[0]:
        conn, _ = srv.accept()
        conn.close()
        hit = 1
    return hit


geojson(os.path.join(d, "communes.geojson"), [
    ({"nis_code": "21001", "name_fr": "A", "name_nl": "A"}, square(150000, 170000, 151000, 171000)),
])
write(os.path.join(d, "zones.vrt"),
      '<OGRVRTDataSource><OGRVRTLayer name="zones"><SrcDataSource>/vsicurl/%s</SrcDataSource>'
      '</OGRVRTLayer></OGRVRTDataSource>\n' % url)
write(os.path.join(d, "v.csv"), "id,owner,owner_type,dwellings,reason,works_start,x,y\nv1,Comensia,sisp,2,study,,150100,170100\n")
ini = ("[run]\nreference_date = 2024-11-07\n[communes]\npath = communes.geojson\n"
       "[zones]\npath = %s\n[vacancies]\npath = v.csv\nx = x\ny = y\ncrs = EPSG:31370\n")

# a VRT whose source is a URL: refused by name, for check and run alike
write(os.path.join(d, "vrt.ini"), ini % "zones.vrt")
for cmd in (["check", "-c", os.path.join(d, "vrt.ini")],
            ["run", "-c", os.path.join(d, "vrt.ini"), "-o", os.path.join(d, "out")]):
    p = run(*cmd)
    check(p.returncode == 4 and "zones.vrt: a VRT (input 'zones'), which may name files on the network, "
          "is not read" in p.stdout + p.stderr,
          "%s with a VRT naming a URL: exit 4 naming it: %d %s %s" % (cmd[0], p.returncode, p.stdout, p.stderr))
    check(not connected(), "%s with a VRT naming a URL: nothing connected to the server" % cmd[0])

# the URL itself as the zones path
write(os.path.join(d, "url.ini"), ini % ("/vsicurl/" + url))
p = run("check", "-c", os.path.join(d, "url.ini"))
check(p.returncode == 4 and "/vsicurl/%s: a network location (input 'zones'); tremplin reads local files "
      "only" % url in p.stdout + p.stderr, "a /vsicurl/ input: exit 4 naming it: %s %s" % (p.stdout, p.stderr))
check(not connected(), "a /vsicurl/ input: nothing connected to the server")

# join: a URL as the points, and the VRT
for pts in (url, os.path.join(d, "zones.vrt")):
    p = run("join", os.path.join(d, "communes.geojson"), pts)
    check(p.returncode == 4 and ("network location" in p.stderr or "a VRT" in p.stderr),
          "join with %s: exit 4: %d %s" % (pts, p.returncode, p.stderr))
    check(not connected(), "join with %s: nothing connected to the server" % pts)
srv.close()
finish("test_network")
