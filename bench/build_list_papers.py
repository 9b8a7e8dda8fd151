"""Write feeds/data/list_papers.json: pool metadata of the list entries found in the arXiv pool.

Run from the repository root: `python bench/build_list_papers.py`. It reads the bundled newest
README, finds its entries in ../shared/data/arxiv-pool by repaired arXiv id or normalised title,
and keeps what routing and the author index can use: title, abstract, categories and authors.
"""

from __future__ import annotations

import json
from importlib import resources

from pool import ROOT, find_list_papers, load_pool

from feeds.awesome_list import entry_key, parse_awesome_list

OUT = ROOT / "feeds" / "data" / "list_papers.json"


def main() -> None:
    """Build and write the JSON, one record per found entry, in list order."""
    snapshot = parse_awesome_list(
        resources.files("feeds").joinpath("data/awesome-readme.md").read_bytes()
    )
    records = [
        {
            "entry_key": entry_key(found.entry),
            "section": found.entry.section,
            "arxiv_id": found.paper.arxiv_id,
            "matched_by": found.how,
            "title": found.paper.title,
            "published": found.paper.published,
            "authors": list(found.paper.authors),
            "categories": list(found.paper.categories),
            "comments": found.paper.comments,
            "abstract": found.paper.abstract,
        }
        for found in find_list_papers(snapshot, load_pool())
    ]
    OUT.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(records)} list papers to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
