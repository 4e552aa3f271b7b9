"""Generate sample_corpus/world.txt: a small made-up world with planted relations.

Nine families of word pairs (royalty and gender, countries and capitals, singular
and plural, comparatives, past tense, animals and their young, workers and their
tools, instruments and players, fruits and their colours) are written into simple
template sentences. The two words of a pair share a topic word that
no other pair uses, so a good trainer puts each word's partner among its nearest
neighbours; within a family the two sides differ the same way (he/she, country/
city, one/many, ...), which plants analogy offsets too.

Usage: ``python scripts/make_sample_corpus.py [--sentences 120000] [--seed 2013]``
Takes about 2 seconds; the output is identical for the same arguments.
The tests read the list of planted pairs from sample_corpus/pairs.tsv.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# family -> (pairs as (first, second, shared topic word), templates for the first member,
#            templates for the second member, templates using both)
FAMILIES = {
    "gender": (
        [("king", "queen", "throne"), ("prince", "princess", "castle"),
         ("man", "woman", "adult"), ("boy", "girl", "playground"),
         ("father", "mother", "household"), ("son", "daughter", "birthday"),
         ("brother", "sister", "sibling"), ("husband", "wife", "wedding"),
         ("uncle", "aunt", "relatives"), ("lord", "lady", "manor")],
        ["the {a} said that he would visit the {t} soon", "his {t} was dear to the {a}",
         "he is the {a} and everyone at the {t} knows him", "the old {a} smiled at his {t}"],
        ["the {b} said that she would visit the {t} soon", "her {t} was dear to the {b}",
         "she is the {b} and everyone at the {t} knows her", "the old {b} smiled at her {t}"],
        ["the {a} and the {b} spoke about the {t}", "at the {t} the {b} met the {a}"],
    ),
    "capital": (
        [("france", "paris", "seine"), ("germany", "berlin", "spree"),
         ("italy", "rome", "tiber"), ("spain", "madrid", "flamenco"),
         ("japan", "tokyo", "sushi"), ("egypt", "cairo", "pyramids"),
         ("russia", "moscow", "kremlin"), ("greece", "athens", "acropolis"),
         ("peru", "lima", "andes"), ("canada", "ottawa", "maple")],
        ["the country of {a} is known for the {t}", "people travel across {a} to see the {t}",
         "the nation {a} has a long border and the {t}"],
        ["the city of {b} is known for the {t}", "people walk through {b} to see the {t}",
         "the capital {b} has busy streets near the {t}"],
        ["{b} is the capital of {a} near the {t}", "from {b} you can explore {a} and the {t}"],
    ),
    "plural": (
        [("cat", "cats", "whiskers"), ("dog", "dogs", "leash"), ("horse", "horses", "saddle"),
         ("bird", "birds", "nest"), ("apple", "apples", "orchard"), ("tree", "trees", "forest"),
         ("house", "houses", "roof"), ("river", "rivers", "bridge"),
         ("ship", "ships", "harbor"), ("book", "books", "library")],
        ["one {a} was near the {t}", "a single {a} stood by the {t}", "i saw a {a} by the {t}"],
        ["many {b} were near the {t}", "several {b} stood by the {t}", "i saw some {b} by the {t}"],
        ["one {a} and many {b} by the {t}"],
    ),
    "comparative": (
        [("big", "bigger", "elephant"), ("small", "smaller", "mouse"), ("fast", "faster", "race"),
         ("old", "older", "ancient"), ("tall", "taller", "tower"), ("strong", "stronger", "muscle"),
         ("cheap", "cheaper", "market"), ("warm", "warmer", "sunshine")],
        ["the {t} is very {a}", "this {t} looks {a} today", "such a {a} {t}"],
        ["the {t} is {b} than before", "this {t} looks {b} than that one", "an even {b} {t}"],
        ["the {t} was {a} and then it became {b}"],
    ),
    "tense": (
        [("walk", "walked", "path"), ("jump", "jumped", "fence"), ("play", "played", "game"),
         ("talk", "talked", "conversation"), ("cook", "cooked", "kitchen"),
         ("paint", "painted", "canvas"), ("climb", "climbed", "mountain"),
         ("dance", "danced", "ballroom")],
        ["today we {a} near the {t}", "we will {a} by the {t} tomorrow", "they {a} at the {t} now"],
        ["yesterday we {b} near the {t}", "we {b} by the {t} last week",
         "they {b} at the {t} then"],
        ["we {a} at the {t} as we {b} before"],
    ),
    "young": (
        [("cow", "calf", "barn"), ("sheep", "lamb", "wool"), ("pig", "piglet", "mud"),
         ("duck", "duckling", "pond"), ("lion", "cub", "savanna"), ("frog", "tadpole", "swamp"),
         ("deer", "fawn", "woods"), ("hen", "chick", "coop")],
        ["the grown {a} rested in the {t}", "an adult {a} walked to the {t}"],
        ["the baby {b} rested in the {t}", "a little {b} walked to the {t}"],
        ["the {a} watched over the {b} in the {t}", "a {b} grows into a {a} by the {t}"],
    ),
    "tool": (
        [("painter", "brush", "easel"), ("writer", "pen", "novel"), ("farmer", "plough", "field"),
         ("doctor", "stethoscope", "patient"), ("carpenter", "hammer", "nails"),
         ("baker", "oven", "bread"), ("tailor", "needle", "thread"), ("fisherman", "rod", "bait")],
        ["the {a} works all day on the {t}", "a skilled {a} thinks about the {t}"],
        ["you need a {b} to work on the {t}", "a good {b} is used for the {t}"],
        ["the {a} picked up the {b} for the {t}", "with a {b} the {a} made the {t}"],
    ),
    "music": (
        [("piano", "pianist", "keys"), ("violin", "violinist", "bow"),
         ("guitar", "guitarist", "strings"), ("drum", "drummer", "rhythm"),
         ("flute", "flutist", "breath"), ("harp", "harpist", "pluck"),
         ("trumpet", "trumpeter", "brass"), ("cello", "cellist", "chords")],
        ["the {a} sounds lovely with its {t}", "an old {a} was tuned for its {t}"],
        ["the {b} plays with great {t}", "a famous {b} practised the {t}"],
        ["the {b} played the {a} with {t}", "a {a} needs a {b} who knows the {t}"],
    ),
    "fruit": (
        [("banana", "yellow", "peel"), ("cherry", "red", "pit"), ("lime", "green", "zest"),
         ("plum", "purple", "jam"), ("orange", "tangerine", "juice"),
         ("blueberry", "blue", "muffin"), ("coconut", "brown", "shell")],
        ["we ate a {a} with the {t}", "a fresh {a} and its {t}"],
        ["the colour {b} reminds me of the {t}", "everything was {b} like the {t}"],
        ["a ripe {a} is {b} with a {t}"],
    ),
}
FILLER = ("and then everyone went home", "in the morning", "after a long day",
          "while the wind blew", "as the story goes", "before the rain came")


def sentence(rng: random.Random) -> str:
    pairs, first, second, both = FAMILIES[rng.choice(list(FAMILIES))]
    a, b, topic = rng.choice(pairs)
    templates = rng.choices((first, second, both), weights=(1, 1, 2))[0]
    text = rng.choice(templates).format(a=a, b=b, t=topic)
    return f"{text} {rng.choice(FILLER)}" if rng.random() < 0.3 else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=120_000)
    parser.add_argument("--seed", type=int, default=2013)
    parser.add_argument("--out", type=Path, default=ROOT / "sample_corpus")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(exist_ok=True)
    lines = [sentence(rng).capitalize() + "." for _ in range(args.sentences)]
    (args.out / "world.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    pairs = [f"{family}\t{a}\t{b}" for family, spec in FAMILIES.items() for a, b, _ in spec[0]]
    (args.out / "pairs.tsv").write_text("\n".join(pairs) + "\n", encoding="utf-8")
    print(f"wrote {len(lines):,} sentences, {sum(len(s.split()) for s in lines):,} tokens")


if __name__ == "__main__":
    main()
