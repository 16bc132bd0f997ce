"""Information content and Resnik/Lin similarity over one branch of the graph's own class hierarchy.

The information content of a class is read from the literature the search ranks: how many of its
published groups are annotated at or below the class (Resnik's corpus-frequency definition), not
how many classes the ontology puts below it. The inferior vena cava, a third of the groups, says
less about a patient than the femoral vein does. A class that no group has gets the most
information the corpus can give (add-one smoothing), so it can still be compared.

Every matrix is computed once per graph over a few dozen classes; a search then looks similarities
up for all groups at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kg.store.results import QueryResult

Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]

ROOTS = ("AnatomicalSite", "Presentation", "Intervention", "Outcome")
# the materialised closure is reflexive and transitive (kg.build.inference), so one pattern reads it
HIERARCHY = """PREFIX vskg: <https://w3id.org/vskg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?root ?class ?ancestor WHERE {
  VALUES ?root { vskg:AnatomicalSite vskg:Presentation vskg:Intervention vskg:Outcome }
  ?class rdfs:subClassOf ?root ; rdfs:subClassOf ?ancestor .
  ?ancestor rdfs:subClassOf ?root .
}
ORDER BY ?root ?class ?ancestor"""


@dataclass(frozen=True)
class Hierarchy:
    """The classes of one branch (IRIs, sorted) and which is at or above which."""

    root: str
    classes: tuple[str, ...]
    above: Bools  # above[i, j]: class j is class i or one of its ancestors

    @property
    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def is_a(self, cls: str, ancestor: str) -> bool:
        index = self.index
        return cls in index and ancestor in index and bool(self.above[index[cls], index[ancestor]])


def hierarchies(result: QueryResult) -> dict[str, Hierarchy]:
    """The branches of the HIERARCHY answer, by root IRI."""
    pairs: dict[str, dict[str, set[str]]] = {}
    for row in result.records():
        root, cls, ancestor = str(row["root"]), str(row["class"]), str(row["ancestor"])
        pairs.setdefault(root, {}).setdefault(cls, set()).add(ancestor)
    out = {}
    for root, ancestors in pairs.items():
        classes = tuple(sorted(ancestors))
        index = {c: i for i, c in enumerate(classes)}
        above = np.zeros((len(classes), len(classes)), dtype=bool)
        for cls, ups in ancestors.items():
            above[index[cls], [index[a] for a in ups if a in index]] = True
        out[root] = Hierarchy(root, classes, above)
    return out


@dataclass(frozen=True)
class Similarity:
    """Resnik and Lin similarity between every two classes of a branch, with the information
    content (bits) each rests on and the most informative common ancestor of each pair."""

    hierarchy: Hierarchy
    ic: Floats  # per class
    annotated: npt.NDArray[np.int64]  # groups at or below each class
    groups: int  # groups with at least one class of this branch
    resnik: Floats  # [i, j]: information content of the most informative common ancestor
    mica: npt.NDArray[np.int64]  # [i, j]: that ancestor's index
    lin: Floats  # [i, j]: 2 * resnik / (ic[i] + ic[j]); 1 on the diagonal

    def pair(self, a: str, b: str) -> tuple[str, float, float, float, float]:
        """Why two classes are as similar as they are: their most informative common class, its
        information content, each class's own, and Lin's similarity."""
        index = self.hierarchy.index
        i, j = index[a], index[b]
        common = self.hierarchy.classes[int(self.mica[i, j])]
        return common, float(self.resnik[i, j]), float(self.ic[i]), float(self.ic[j]), float(self.lin[i, j])


def similarity(hierarchy: Hierarchy, members: Bools) -> Similarity:
    """Similarity over `hierarchy` with information content from `members`, a groups x classes
    table of the classes each group is annotated with directly."""
    above = hierarchy.above
    n = len(hierarchy.classes)
    if members.shape[1] != n:
        raise ValueError(f"members has {members.shape[1]} classes, the hierarchy {n}")
    # a group counts once for every class at or above any of its own
    covered = (members.astype(np.int64) @ above.astype(np.int64)) > 0 if n else np.zeros_like(members)
    annotated = covered.sum(axis=0).astype(np.int64)
    groups = int(members.any(axis=1).sum())
    ic = -np.log2((annotated + 1.0) / (groups + 1.0))
    common = above[:, None, :] & above[None, :, :]  # [i, j, k]: k is above both
    shared = np.where(common, ic[None, None, :], -np.inf)
    mica = shared.argmax(axis=2).astype(np.int64)
    resnik = np.take_along_axis(shared, mica[:, :, None], axis=2)[:, :, 0]
    resnik = np.where(np.isfinite(resnik), resnik, 0.0)
    total = ic[:, None] + ic[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        lin = np.where(total > 0, 2.0 * resnik / total, 0.0)
    np.fill_diagonal(lin, 1.0)
    return Similarity(hierarchy, ic, annotated, groups, resnik, mica, np.clip(lin, 0.0, 1.0))


def best_match(sim: Similarity, wanted: list[int], members: Bools) -> tuple[Floats, Bools]:
    """For each group: the mean, over the wanted classes, of the best Lin similarity to any of the
    group's own classes; and whether the group has any class of this branch at all."""
    has = np.asarray(members.any(axis=1), dtype=bool)
    if not wanted:
        return np.zeros(members.shape[0]), np.zeros(members.shape[0], dtype=bool)
    best = np.zeros((len(wanted), members.shape[0]))
    for row, w in enumerate(wanted):  # one vector operation per described term, over all groups
        best[row] = np.where(members, sim.lin[w][None, :], 0.0).max(axis=1, initial=0.0)
    return best.mean(axis=0), has
