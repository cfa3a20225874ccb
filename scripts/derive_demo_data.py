"""Derive the demo agency's beats and address table from the Seattle files in ../shared/data.

Run once; its output is committed under src/beatbook/demo/data/ so the demo needs no network
and no files outside the repository. Beats: SPD patrol beats (land beats only, coordinates
rounded to 6 decimals). Addresses: every hundred block in SPD's 2016 911 sample, with its
snapped coordinate, expanded to ten house numbers spread a few metres apart along the block.
"""

import csv
import json
import re
import sys
from pathlib import Path

SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data/seattle")
OUT = Path("src/beatbook/demo/data")
BLOCK = re.compile(r"^(\d+)XX BLOCK OF (.+)$")
SKIP_BEATS = {"99", "H1", "H2", "H3"}


def round_coords(coords):
    if coords and isinstance(coords[0], (int, float)):
        return [round(coords[0], 6), round(coords[1], 6)]
    return [round_coords(c) for c in coords]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    source = json.loads((SHARED / "spd_beats.geojson").read_text())
    features = []
    for feature in source["features"]:
        props = feature["properties"]
        if props["beat"] in SKIP_BEATS:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"beat": props["beat"], "sector": props["sector"]},
                "geometry": {
                    "type": feature["geometry"]["type"],
                    "coordinates": round_coords(feature["geometry"]["coordinates"]),
                },
            }
        )
    (OUT / "seattle_beats.geojson").write_text(
        json.dumps(
            {"type": "FeatureCollection", "crs": source["crs"], "features": features},
            separators=(",", ":"),
        )
    )
    seen = set()
    rows = []
    with (SHARED / "spd_911_incident_response_sample_2016.csv").open() as f:
        for row in csv.DictReader(f):
            match = BLOCK.match(row["Hundred Block Location"].strip())
            if not match or not row["Latitude"]:
                continue
            hundred, street = int(match.group(1)) * 100, match.group(2)
            if (hundred, street) in seen:
                continue
            seen.add((hundred, street))
            lat, lon = float(row["Latitude"]), float(row["Longitude"])
            for i in range(10):
                # Ten house numbers per block about a metre apart: SPD gives one point per block.
                number = hundred + i * 10 + (i % 2)
                rows.append(
                    (
                        number,
                        street,
                        "Seattle",
                        round(lat + (i - 5) * 0.00001, 6),
                        round(lon + (i - 5) * 0.00001, 6),
                    )
                )
    with (OUT / "seattle_addresses.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["number", "street", "city", "lat", "lon"])
        writer.writerows(sorted(rows, key=lambda r: (r[1], r[0])))
    print(f"{len(features)} beats, {len(seen)} blocks, {len(rows)} addresses")


if __name__ == "__main__":
    main()
