#!/usr/bin/env python3
"""How the department booklet bullets of seed 003 (広報 article on 令和元年度「各部の運営方針と目標」)
were transcribed (documentation, not a build step).

The extraction scrambled the order: each department's name comes after its bullets, and two names
sometimes follow one another. The assignment below follows /work/shared/seeds/README.md
(企画部: EBPM, 三鷹ネットワーク大学; 総務部: 防災, 時差勤務; 都市整備部: 土地利用, 下水道, デッキ; ...).
Each ● bullet is joined across the extraction's line breaks (Japanese text: no space added).
Prints a YAML fragment per department (main_projects) to stdout.
"""
import re
import sys

SEED = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/seeds/003_ed473fa6d39f6456.txt"

# (department id, words that identify its bullets, in the seed's order)
ASSIGN = [
    ("kikaku", ["第4次三鷹市基本計画", "EBPM", "三鷹ネットワーク大学と連携"]),
    ("somu", ["総合防災センター", "防災出前講座", "時差勤務"]),
    ("toshi-seibi", ["土地利用総合計画", "下水道再生計画", "ペデストリアンデッキ"]),
    ("shimin", ["窓口対応", "収納率", "ジェネリック医薬品"]),
    ("seikatsu-kankyo", ["地域コミュニティを支える", "リサイクルセンター", "多言語翻訳"]),
    ("sports-bunka", ["元気創造プラザ", "ラグビー", "太宰治"]),
    ("kenko-fukushi", ["ゆりかご", "在宅医療", "健康福祉総合計画"]),
    ("kodomo", ["子育て支援ビジョン", "親としての育ち", "無償化"]),
]

text = open(SEED, encoding="utf-8").read()
# a bullet runs from ● to the next ● or to a blank line followed by a department name / end
bullets = []
for m in re.finditer(r"●(.*?)(?=●|\n\n(?:[^\n●]*部)\s|\Z)", text, re.S):
    b = re.sub(r"\s*\n\s*", "", m.group(1)).strip()
    b = re.sub(r"\s+(?:[^\s]*部)$", "", b)  # a department name on the same line
    bullets.append(b)

out = {}
for b in bullets:
    dept = [d for d, keys in ASSIGN if any(k in b for k in keys)]
    assert len(dept) == 1, (b[:30], dept)
    out.setdefault(dept[0], []).append(b)
for d, keys in ASSIGN:
    assert len(out[d]) == len(keys), d
    print(f"== {d}")
    for b in out[d]:
        print(f"  - text: {b}")
