"""The deeper story: the images the advisors used, what the company's story protects and
hides, and the better story — built only from what was said in the rounds that ran.
"""

from __future__ import annotations

import re

from throughline.council.frame import join_options
from throughline.council.offline import wording as w
from throughline.council.synthesis.state import SynthesisBase, sentences


def _bare(image: str) -> str:
    """An image as it may appear inside a sentence: lower case, no leading article."""
    low = " ".join(image.lower().split())
    return re.sub(r"^(?:a|an|the)\s+", "", low)


class StoryWriter(SynthesisBase):
    """The deeper story under the argument."""

    def _said_images(self) -> list[tuple[str, str, str]]:
        """(advisor name, image, statement id) for each seated advisor's image that one of
        its statements actually contains, in rounds that ran (first found per advisor)."""
        out: list[tuple[str, str, str]] = []
        for p, a in self.seats:
            images = [p.metaphor, *p.images]
            for st in self.statements:
                if st.advisor_id != p.id or st.failed:
                    continue
                low = " ".join(st.text.lower().split())
                hit = next((img for img in images if img and _bare(img) in low), None)
                if hit:
                    out.append((a.name, " ".join(hit.split()), st.id))
                    break
        return out

    def deeper_story(self) -> str:
        said = self._said_images()
        h = self.binding
        ran = max((r.number for r in self.rounds), default=0)
        parts: list[str] = []
        if said:
            parts.append("Each lens found its own image for the same pattern: "
                         + w.join_names([f"{name}'s {img}" for name, img, _ in said]) + ".")
        elif self.statements:
            quotes = self._story_quotes()
            if quotes:
                parts.append(f"In the {ran} round{'s' if ran != 1 else ''} that ran, the "
                             "argument came down to two lines: " + " and ".join(
                                 f"{name}'s “{q}”" for name, q in quotes) + ".")
        if h is not None:
            masq = w.lower_first(w.masquerade_sentence(h))
            parts.append(self.say("s.masq", "story", masq=masq))
            if said:
                protects = [p.protects for p, a in self.seats
                            if any(a.name == name for name, _, _ in said)][:3]
                if protects:
                    parts.append(self.say("s.protects", "story",
                                          protects=w.join_names(protects)))
            parts.append(self.say("s.better", "story", better=w.BETTER_STORY[h]))
            if len(self.cases) < 2:
                subject = self.subject_name()
                hs = w.short(h)
                if subject is not None:
                    parts.append(self.say("s.question", "story", ask=self.ask, h=hs,
                                          subject=subject,
                                          Subject=subject[:1].upper() + subject[1:]))
                else:
                    parts.append(self.say("s.question_open", "story", ask=self.ask))
        elif self.tied:
            parts.append("Two stories fit the data equally well: "
                         + w.join_names([w.lower_first(w.masquerade_sentence(t))
                                         for t in self.tied])
                         + ". Until a measure separates them, the honest story is the tie.")
        else:
            parts.append("No single story is strong enough in this data; the honest one for "
                         "now is the one the missing measures will tell.")
        if len(self.cases) >= 2:
            c = self.choice
            labels = join_options([x.label for x in self.cases], "or")
            if c is None:
                parts.append(f"Read this way, the question of {labels} is a question about "
                             "which evidence the company is willing to collect before it "
                             "spends.")
            elif h is not None and not c.repairs_binding:
                parts.append(f"Read this way, {labels} is a choice about what to build on top "
                             f"of {w.short(h)}: {c.label} is the better bet only once the "
                             "ground under it holds.")
            else:
                parts.append(f"Read this way, {c.label} is not one option among others: it is "
                             "the story's own repair.")
        return " ".join(parts)

    def _story_quotes(self) -> list[tuple[str, str]]:
        """Two sentences from the last round that ran, from different advisors, without
        digits (the story quotes what was said; numbers stay in the evidence)."""
        out: list[tuple[str, str]] = []
        last = self.rounds[-1].statements if self.rounds else []
        for st in last:
            if st.failed:
                continue
            for sent in sentences(st.text):
                if 40 <= len(sent) <= 220 and not re.search(r"\d", sent):
                    out.append((self.names.get(st.advisor_id, st.advisor_id),
                                sent.rstrip(".")))
                    break
            if len(out) == 2:
                break
        return out


__all__ = ["StoryWriter"]
