"""The debate's arc: the five rounds, each with its title, purpose and brief.

Pure data shared by the council (which runs the rounds) and the model-backed advisors in
``throughline.providers`` (whose prompts and estimates describe them), so it lives in
``core``.
"""

from __future__ import annotations

from throughline.core.seams import RoundSpec

ROUNDS: list[RoundSpec] = [
    RoundSpec(
        number=1, title="Opening positions", blind=True,
        purpose="Each advisor's position from its own lens, written blind.",
        brief=(
            "You have not seen anyone else's view, and you have not been told what the "
            "diagnosis concluded; that is deliberate, so the panel starts from independent "
            "readings of the evidence. Answer the user's question from your lens in your first "
            "sentence: the option you would choose, or, if the evidence cannot decide it, the "
            "measurement you would need first. Then give the two or three numbers from your "
            "evidence that carry that answer, each with its id, and one thing your lens sees "
            "that the others are likely to miss. Close with what would change your mind. Do "
            "not tour the whole evidence pack: choose what decides."),
    ),
    RoundSpec(
        number=2, title="Challenge the premise",
        purpose="What the question assumes, against what the data says binds.",
        brief=(
            "Now the diagnosis and the panel's openings are in front of you. Question the "
            "question: what does it take for granted — that its options are the real "
            "alternatives, that the problem sits where the user thinks it does, that now is the "
            "moment? Set what it assumes against what the data says binds. Take up one peer's "
            "opening by name: quote the number they used and say whether it supports the "
            "premise or undermines it. If the right move is one the user did not name, say so "
            "plainly and say which option it would replace."),
    ),
    RoundSpec(
        number=3, title="Evidence and measurement",
        purpose="Who can show a number, and who cannot.",
        brief=(
            "This round is about proof. For the answer you hold, show the strongest number you "
            "have, with its n and its id, and say what it does not show. Take up a peer's "
            "number directly: dispute it with a better one, or extend it with one that "
            "sharpens it. Name the claim in the debate so far that rests on no number at all, "
            "and whose it is. Keep what is measured apart from what is inferred; if the "
            "decisive measurement does not exist, say which field, report or query would "
            "produce it and how long that would take."),
    ),
    RoundSpec(
        number=4, title="Assumptions",
        purpose="Each lens names its own untested assumption and tests it against the "
                "data, then names a peer's it finds dangerous.",
        brief=(
            "Turn your lens on itself. State the assumption you carry (it is in your persona "
            "above) and test it against its metric in the evidence: quote the value, compare "
            "it with the rule, and say plainly whether the assumption holds — or that the "
            "evidence cannot say. If it fails, say what that does to your answer. Then name "
            "the assumption in a peer's argument that you find most dangerous for this "
            "decision, quote the claim where it shows, and say what evidence would settle it."),
    ),
    RoundSpec(
        number=5, title="The hidden story",
        purpose="A metaphor, what the current story protects and hides, the masquerade, "
                "a better story and one systemic change.",
        brief=(
            "Step back from the numbers to the story the company tells itself about this "
            "decision. Offer one image — one of yours, or a better one — that makes the "
            "situation visible, and tie it to a number in the evidence so it is not "
            "decoration. Say what the current story protects and what it hides, which problem "
            "is masquerading as another, the better story you would put in its place, and one "
            "systemic change (a rule, a ritual, a measure or an owner) that would make the "
            "better story true. Take up one peer's image or claim from the last round, and end "
            "with your final answer to the user's question in one sentence."),
    ),
]
MAX_ROUNDS = len(ROUNDS)
