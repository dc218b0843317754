"""The offline engine's grammar: several sentence forms for every move of every round.

A statement is a few sentences, each filled from one *kind* below (an answer, a reply to a
peer's number, a test of an assumption …) with the advisor's own evidence. Which form of a
kind a sentence takes is chosen by :class:`Voice`: in a hash order seeded by the question
and the data (so the same inputs give the same bytes, and a different question gives
different sentences), taking the least-used form, so no form is used more than twice in a
record while a kind has forms left. Forms never carry a digit: every number comes from a
slot filled with a metric shown through the diagnose formatters.

Slots: ``{Peer}``/``{peer}`` a peer's name (sentence start / inside), ``{claim}`` the peer's
number as quoted, ``{mine}`` the speaker's own number, ``{opt}``/``{opts}`` the question's
options (quoted), ``{answer}`` the answer the speaker argues for, ``{h}``/``{runner}``
hypotheses, ``{title}`` a finding's title, ``{stmt}`` a finding's statement, ``{n}`` a sample
size, ``{low}``/``{high}`` an interval, ``{test}`` a significance test, and the persona's
``{assumption}``, ``{meaning}``, ``{image}``, ``{protects}``, ``{hides}``, ``{role}``.
"""

from __future__ import annotations

import hashlib
from collections import Counter

GRAMMAR: dict[str, list[str]] = {
    # -- round 1: the opening answer, blind --------------------------------------------------
    "r1.answer": [
        "Read from the {role}'s chair, my answer is {answer}.",
        "My answer, before hearing anyone: {answer}.",
        "I will come at this as a {role}, and where I land is {answer}.",
        "Where I come out, blind to the rest of the panel: {answer}.",
    ],
    "r1.lead": [
        "Here is what carries it: {stmt}",
        "The reading that decides it for me: {stmt}",
        "Start with “{title}”, which reads: {stmt}",
        "My first exhibit is “{title}”: {stmt}",
        "The finding I would put first is “{title}”: {stmt}",
        "My case rests on “{title}”, which says: {stmt}",
    ],
    "r1.second": [
        "Next to it sits {mine} from “{title}”.",
        "A second number points the same way: {mine} (“{title}”).",
        "“{title}” adds {mine}.",
        "The same picture shows in {mine}, in “{title}”.",
        "Beside it, “{title}” gives {mine}.",
        "It is not alone: {mine}, in “{title}”.",
    ],
    "r1.strength": [
        "What works, and should not be blamed: {mine} in “{title}”.",
        "In fairness, {mine} (“{title}”) is a strength, not a symptom.",
        "Some of it is healthy: “{title}” shows {mine}.",
        "Not everything is broken — {mine}, from “{title}”, is sound.",
    ],
    "r1.passage": [
        "The library names the mechanism (“{ptitle}”): “{passage}”",
        "One source, “{ptitle}”, puts it this way: “{passage}”",
        "I would put a line from “{ptitle}” in front of the board: “{passage}”",
        "From “{ptitle}”, a line worth keeping in mind: “{passage}”",
    ],
    "r1.blind": [
        "My lens watches {hides}; that is what the others are likely to miss.",
        "What the others may not see from their seats: {hides}.",
        "My seat makes me look for {hides}, and I would ask the panel to look too.",
        "If anything here is easy to miss, it is {hides}.",
    ],
    "r1.mind": [
        "If my assumption is wrong — {assumption} — I will say so in round four.",
        "Test me on {assumption}; that is where my reading could break.",
        "What would change my mind is the test of my own assumption, {assumption}.",
        "I carry one assumption, {assumption}; if it fails, so does part of this answer.",
        "Hold me to one thing: I am assuming {assumption}.",
        "My blind spot is that I take for granted {assumption}.",
        "The belief my lens leans on is {assumption}, and round four will test it.",
        "Round four should check my premise, {assumption}.",
    ],
    "r1.quiet": [
        "My lens has no alarm to report, and that is information: the constraint is not "
        "where I sit.",
        "Nothing in my part of the data is failing, so I would look for the answer elsewhere "
        "before spending on my function.",
        "From my seat the numbers are quiet; the problem, if there is one, lives in another "
        "function.",
        "My own evidence does not point at a constraint, which tells me to look past my "
        "function.",
    ],
    "r1.none": [
        "My lens has no measured number here; before I back either road I would want {need}.",
        "I have nothing measured to offer yet, and I would ask for {need} before choosing.",
    ],
    # -- the Auditor -------------------------------------------------------------------------
    "audit.base": [
        "Before anyone answers {ask}: {measured} of {total} findings rest on measured "
        "numbers{dark}.",
        "What {ask} can be answered from: {measured} of {total} findings measured{dark}.",
        "The ground under {ask} is {measured} measured findings out of {total}{dark}.",
    ],
    "audit.dq": [
        "The data-fitness gate flagged {issues}.",
        "One caution comes first, from the data-fitness gate: {issues}.",
    ],
    "audit.strongest": [
        "The strongest single number on the table is {mine}, from “{title}”.",
        "If one number deserves scrutiny first, it is {mine} (“{title}”).",
    ],
    "audit.subject": [
        "On what the question asks about, the number to check first is {mine} (“{title}”).",
        "The question points at {mine}, in “{title}”; that is the number I will hold others "
        "to.",
    ],
    "audit.answer": [
        "My answer to {ask} is {answer}, and I will mark every claim that rests on no "
        "number.",
        "I hold no favourite hypothesis; to {ask} my answer is {answer}.",
    ],
    "audit.check": [
        "{Peer}'s {claim} checks out: it is the finding's own number, n = {n}.",
        "I checked {peer}'s {claim} against “{title}”: measured, n = {n}.",
        "{Peer}'s {claim} is measured — it rests on a base of {n} in “{title}”.",
        "For the record, {peer}'s {claim} is traceable to “{title}”, with n = {n} behind it.",
        "Traced: {peer}'s {claim}, “{title}”, with a base of {n}.",
    ],
    "audit.check_plain": [
        "{Peer}'s {claim} is the finding's own number, in “{title}”.",
        "I traced {peer}'s {claim} to “{title}”; it is measured.",
        "{Peer}'s {claim} comes straight from “{title}”.",
    ],
    "audit.check_test": [
        "It was tested ({test}), not eyeballed.",
        "A proper test stands behind it ({test}).",
        "It survives a {test}.",
        "Behind it stands a {test}.",
    ],
    "audit.check_small": [
        "{Peer}'s {claim} stands on a base of only {n}; read it as a direction, not a size.",
        "Caution on {peer}'s {claim}: n = {n} is a thin base for a decision this size.",
        "{Peer}'s {claim} is real but rests on n = {n} — a small sample.",
        "Mind the base under {peer}'s {claim}: n = {n}.",
    ],
    "audit.check_interval": [
        "Its interval runs from {low} to {high}; quote the range, not the point.",
        "Read it with its interval, {low} to {high}.",
        "The honest range is {low} to {high}.",
        "Its range, not its point, is the honest figure: {low} to {high}.",
    ],
    "audit.unnumbered": [
        "What rests on no number so far is {who}'s reading of the options; treat it as a "
        "hypothesis.",
        "{Who} argued a premise without a number behind it; that part is opinion.",
        "One position still rests on no number: {who}'s case about the options.",
    ],
    "audit.alldark": [
        "No one at this table can show a number for {dark}: the data has none.",
        "Nobody can measure {dark} from these exports.",
    ],
    "audit.assume": [
        "I assume {assumption}.",
        "My own assumption is {assumption}.",
    ],
    # -- replies to a peer's number, from round 2 ------------------------------------------------
    "reply.small": [
        "{Peer}'s {claim} rests on a base of {n}, too small to carry a decision on its own.",
        "Before we build on {peer}'s {claim}, note the base: n = {n}.",
        "{Peer}, your {claim} comes from a base of {n}; I would not bet a quarter on it.",
        "I take {peer}'s {claim} seriously, but n = {n} is a small base.",
        "{Peer}'s {claim} sits on a sample of {n}.",
        "A base of {n} sits under {peer}'s {claim}; that is thin.",
    ],
    "reply.counter": [
        "{Peer}'s {claim} is real, but {mine} weighs more: {reason}.",
        "Set {peer}'s {claim} beside {mine} and the balance tips my way, because {reason}.",
        "{Peer}, your {claim} does not outweigh {mine}; {reason}.",
        "Against {peer}'s {claim} I would put {mine}, and mine decides: {reason}.",
        "I read {peer}'s {claim} as the smaller story next to {mine} — {reason}.",
        "{Peer}'s {claim} is a fair number, yet {mine} carries more, since {reason}.",
    ],
    "reply.extend": [
        "{Peer}'s {claim} has a counterpart in my own evidence: {mine}.",
        "I would add to {peer}'s {claim}: {mine}.",
        "{Peer} is right about the {claim}, and {mine} says the same from my side.",
        "Building on {peer}'s {claim}: my lens shows {mine}.",
        "{Peer}'s {claim} is not an isolated number — {mine} agrees.",
        "Take {peer}'s {claim} one step further: {mine}.",
        "My lens lands beside {peer}'s {claim}: {mine}.",
    ],
    "reply.interval": [
        "{Peer}'s {claim} holds even at the edge of its interval, {low} to {high}.",
        "Even the low end of {peer}'s {claim}, {low}, tells the same story.",
        "{Peer}'s {claim} comes with a range of {low} to {high}, and the whole range points "
        "one way.",
        "Read {peer}'s {claim} with its interval ({low} to {high}): the conclusion survives.",
        "Take the low end of {peer}'s {claim}, {low}: the reading is unchanged.",
    ],
    "reply.sibling": [
        "{Peer}'s {claim} has a sibling in the same finding worth saying aloud: {mine}.",
        "Behind {peer}'s {claim} sits {mine}, in the same finding.",
        "{Peer}'s {claim} is one row of a table; the next row reads {mine}.",
        "The same table that gives {peer}'s {claim} also gives {mine}.",
    ],
    "reply.neutral": [
        "{Peer}'s {claim} needs a comparison before it means anything.",
        "On its own, {peer}'s {claim} neither alarms nor reassures me.",
        "{Peer}'s {claim} is a level, not a verdict; what matters is how it compares.",
        "I would not lean on {peer}'s {claim} either way until we see it beside its peers.",
        "{Peer}'s {claim} is context, not evidence for either road.",
    ],
    "reply.strength": [
        "{Peer}'s {claim} is a strength, not proof of a problem, and I would not spend "
        "against it.",
        "I agree with {peer} that {claim} is healthy; it is why I would not look there.",
        "{Peer}'s {claim} reads as something that works; the constraint is elsewhere.",
        "{Peer}'s {claim} counts in the company's favour.",
    ],
    "reply.contrarian": [
        "{Peer}, your {claim} is the best case for the other reading, and it is not strong "
        "enough.",
        "{Peer}'s {claim} keeps the alternative alive, but only just.",
        "I have weighed {peer}'s {claim}; it is a watch item, not a constraint.",
        "{Peer}'s {claim} is worth watching and not worth a quarter.",
    ],
    # -- round 2: the premise ------------------------------------------------------------------
    "r2.premise.options": [
        "The question offers {opts} and takes for granted that one of them is the next "
        "move.",
        "Both roads in the question, {opts}, assume the engine underneath them works.",
        "Choosing between {opts} presumes the problem is which lever to pull, not whether "
        "the machine can use either.",
        "The premise behind both {opts} is that more input will turn into more revenue.",
        "Asking {opts_or} frames this as a spending choice; the data frames it as an order "
        "of work.",
    ],
    "r2.premise.open": [
        "Asking {ask} assumes {premise}.",
        "Underneath {ask} sits an assumption: {premise}.",
        "What {ask} takes for granted is {premise}.",
        "Before answering {ask}, notice that it presumes {premise}.",
        "The premise of {ask} I would test first is {premise}.",
    ],
    "r2.option": [
        "On {opt}, the evidence is specific: {mine}, {rank}.",
        "For {opt}, my numbers say {mine}, {rank}.",
        "Look at {opt} through the data: {mine}, {rank}.",
        "The store has a view on {opt}: {mine}, {rank}.",
        "{Opt} has a number attached already — {mine}, {rank}.",
    ],
    "r2.option_plain": [
        "On {opt}, the nearest number I have is {mine}.",
        "What the data says about {opt}: {mine}.",
        "{Opt} can be read off {mine}.",
        "For {opt}, I can point to {mine}.",
    ],
    "r2.binds": [
        "The data says {h} binds first, and one remedy follows from that as wrong: {wrong}",
        "If {h} is what binds, the wrong move is easy to name. {wrong}",
        "With {h} binding, here is what I would refuse to fund: {wrong}",
        "The trap for a company where {h} binds: {wrong}",
    ],
    "reply.elsewhere": [
        "{Peer}'s {claim} is where the trouble sits; my own {mine} is healthy, which points the "
        "same way.",
        "Against {peer}'s {claim}, my side of the house reads well — {mine} — so the problem "
        "is not spread evenly.",
        "{Peer}'s {claim} locates the damage; {mine} says my function is not where it starts.",
        "I would pair {peer}'s {claim} with {mine}: one function fails, the other holds.",
    ],
    "reply.concede": [
        "{Peer}'s {claim} is hard to argue with, and my case has to live beside it.",
        "I grant {peer} the {claim}; the question is whether it is the whole story.",
        "{Peer}'s {claim} is the strongest number against me, and I will not pretend otherwise.",
        "No quarrel with {peer}'s {claim} as a number; my quarrel is with what it is made to "
        "explain.",
        "{Peer}'s {claim} stands; what I dispute is the weight put on it.",
        "I accept {peer}'s {claim} and still read the evidence the other way.",
    ],
    "r2.nobind": [
        "The data names no single constraint, so the honest first step is a measurement, "
        "not a bet.",
        "Nothing in the ranking clears the bar; I would measure before choosing.",
        "No constraint is named, and that argues for measuring before spending.",
    ],
    "r2.tie": [
        "The data ties {names}; the first job is the measure that separates them.",
        "With {names} tied, a bet on either is a coin toss; measure first.",
    ],
    "r2.contrarian": [
        "I challenge the premise that {h} is the company's one constraint.",
        "A single-cause story about {h} is tidy, and tidy stories deserve suspicion.",
        "The premise I would attack is that this company has one problem, {h}, not two.",
    ],
    # -- round 3: proof ----------------------------------------------------------------------
    "r3.proof": [
        "My strongest number is {mine}, n = {n}, in `{id}`.",
        "If I have to stake the answer on one figure, it is {mine} (n = {n}, `{id}`).",
        "The proof I can show: {mine}, on a base of {n} (`{id}`).",
        "Here is the number, with its base: {mine}, n = {n} (`{id}`).",
        "With n = {n}, `{id}` gives {mine}.",
    ],
    "r3.proof_nobase": [
        "My strongest number is {mine}, in `{id}`.",
        "The figure I would stake this on: {mine} (`{id}`).",
        "`{id}` is my proof: {mine}.",
    ],
    "r3.tested": [
        "It was tested ({test}), and its interval runs from {low} to {high}.",
        "A {test} stands behind it; the range is {low} to {high}.",
        "It survives a {test}, with an interval of {low} to {high}.",
    ],
    "r3.limit": [
        "Read it with this in mind: {caveat}",
        "One thing it cannot tell us: {caveat}",
        "What it does not show: {caveat}",
        "Its limit, in fairness: {caveat}",
        "The caveat I owe you: {caveat}",
        "It has a blind spot — {caveat}",
        "The honest limit of that number: {caveat}",
        "A reader should also know: {caveat}",
    ],
    "r3.limit_generic": [
        "What “{title}” does not show is why; it measures the symptom, not the cause.",
        "“{title}” says what happened, not who decided it.",
        "“{title}” gives a rate, not a mechanism; the mechanism is still argument.",
        "“{title}” tells us where, not how much a fix would return.",
        "“{title}” names the symptom; the cause is still ours to argue.",
        "What “{title}” cannot say is what a repair would be worth.",
    ],
    "r3.need": [
        "The decisive measurement does not exist yet: {need}.",
        "What would settle it is data we do not have — {need}.",
    ],
    "r3.contrarian": [
        "This is the evidence for {runner}, and it is thin.",
        "I owe the panel honesty: that is the best {runner} has.",
        "That is the case for {runner}, stated as strongly as the data allows.",
        "That is all {runner} has to show, and I will not dress it up.",
        "Such is the whole case for {runner}; judge it as it stands.",
    ],
    "r3.noproof": [
        "I looked for a number that makes the case for {runner} and found none that reads "
        "as a problem; the case is weaker than I opened with.",
        "Honestly, {runner} has no number here that reads as a failure, and I will not "
        "invent one.",
    ],
    # -- round 4: assumptions --------------------------------------------------------------------
    "r4.own": [
        "Every lens has a premise, and mine is {assumption}.",
        "Before I judge anyone else, my own premise: {assumption}.",
        "Turning my lens on itself: I assume {assumption}.",
        "The assumption I carry into every room is {assumption}.",
        "My lens rests on an untested belief, {assumption}.",
        "Here is what I take for granted: {assumption}.",
        "I should say what my seat assumes — {assumption}.",
        "My own chair carries a premise too: {assumption}.",
        "Before the panel tests anyone else, test me: I assume {assumption}.",
    ],
    "r4.holds": [
        "Checked against “{title}”, {mine}: it holds, since {meaning}.",
        "The data backs it: with {mine} in “{title}”, it is true here that {meaning}.",
        "It survives the test — {mine} (“{title}”) shows that {meaning}.",
        "Tested against “{title}”, {mine}: {meaning}, as I assumed.",
        "On {mine} from “{title}”, my assumption stands: {meaning}.",
    ],
    "r4.fails": [
        "Checked against “{title}”, {mine}: it does not hold, so it is not true that "
        "{meaning}.",
        "It fails: {mine} in “{title}” says it is not the case that {meaning}.",
        "The data says otherwise — {mine} (“{title}”) breaks the rule that {meaning}.",
        "Tested against “{title}”, it does not survive: {mine}.",
        "{Mine} in “{title}” is the test, and my assumption loses it.",
    ],
    "r4.unknown": [
        "The data cannot test it: {why}.",
        "I cannot check it from these exports — {why}.",
        "It stays untested, because {why}.",
    ],
    "r4.fails_binds": [
        "The failed test is evidence for {h}, so it moves me toward my answer, not away.",
        "That failure is the {h} diagnosis itself, so it strengthens my answer rather than "
        "weakening it.",
        "Losing this test is what the {h} reading predicts; my answer stands.",
        "A failed test here is one more sign of {h}, not a hole in my case.",
        "The failure points to {h}, which is the answer I have argued all along.",
    ],
    "r4.fails_weakens": [
        "That weakens my own case for {answer}, and I lower my conviction accordingly.",
        "I have to give ground: part of my case for {answer} leaned on it.",
        "So my lens overstated its reach, and I hold {answer} more loosely.",
        "That costs my case for {answer} some ground, and I say so.",
    ],
    "r4.danger": [
        "The assumption I find most dangerous is {peer}'s, {passumption}, the belief behind "
        "{claim}.",
        "{Peer}'s {claim} leans on a belief, {passumption}.",
        "The premise I worry about most sits under {peer}'s {claim}: {passumption}.",
        "What would sink {peer}'s case, {claim} included, is evidence against the belief "
        "{passumption}.",
        "{Peer} reads {claim} on the belief {passumption}; that belief needs its own test.",
    ],
    "r4.danger_holds": [
        "Its own test, {pfact} in “{ptitle}”, says it holds for now.",
        "“{ptitle}” tests it directly — {pfact} — and it survives.",
        "Checked with {pfact} (“{ptitle}”), it holds, so the danger is smaller than it "
        "looks.",
        "For now the data is on {peer}'s side: {pfact}, in “{ptitle}”.",
    ],
    "r4.danger_fails": [
        "Put to its own test, {pfact} in “{ptitle}”, it does not hold.",
        "In “{ptitle}” the belief meets {pfact}, and it fails.",
        "The data answers it with {pfact} (“{ptitle}”): the belief does not survive.",
        "That belief loses against {pfact}, from “{ptitle}”.",
    ],
    "r4.settle": [
        "What would settle it: {settle}.",
        "The evidence that would decide it is {settle}.",
        "To settle it I would want {settle}.",
    ],
    # -- round 5: the hidden story -------------------------------------------------------------
    "r5.takeup": [
        "{Peer}'s {claim} is the hinge of this story.",
        "I keep returning to {peer}'s {claim}.",
        "{Peer} gave us {claim}, and it is the detail the story turns on.",
        "Of everything said, {peer}'s {claim} stays with me.",
        "{Peer}'s {claim} is where the story shows through the numbers.",
        "The number that tells the story is {peer}'s {claim}.",
        "Hold on to {peer}'s {claim}; the story runs through it.",
        "{Peer}'s {claim} says more than its size suggests.",
    ],
    "r5.image": [
        "It is {image}: that is what {mine} looks like from the inside.",
        "Picture {image} — {mine} is that picture in numbers.",
        "I see {image}, and {mine} is how it shows.",
        "The image for it is {image}; {mine} is its measure.",
        "Call it {image}, measured as {mine}.",
        "What I picture is {image}, and {mine} is its trace in the data.",
        "{mine} reads, to me, like {image}.",
    ],
    "r5.protects": [
        "The story we tell protects {protects}; it keeps {hides} in the dark.",
        "Whoever benefits from today's story, it guards {protects} and buries {hides}.",
        "The current story protects {protects} and hides {hides}.",
        "What we tell ourselves keeps {protects} safe, and keeps {hides} out of sight.",
        "The story in the room shields {protects}; what it hides is {hides}.",
        "Today's story is comfortable for {protects}, and silent about {hides}.",
        "The story keeps {protects} comfortable and {hides} unseen.",
    ],
    "r5.masq": [
        "What we have is this: {masq}.",
        "Name it for what it is — {masq}.",
        "{Masq}.",
        "Put plainly, {masq}.",
    ],
    "r5.better": [
        "I would replace today's story with this one: {better}.",
        "The story I would want told at the next board meeting: {better}.",
        "A better story: {better}.",
        "The story worth telling instead is that {better}.",
        "Tell it differently: {better}.",
        "The story I would rather we earned: {better}.",
    ],
    "r5.change": [
        "One systemic change would make it true: {change}",
        "The change I would make structural: {change}",
        "If I could change one rule, it would be this: {change}",
        "One ritual to install: {change}",
        "The owner-level change: {change}",
        "The standing rule I would write: {change}",
        "Make it part of how the company runs: {change}",
        "What should outlive this meeting: {change}",
    ],
    "r5.final": [
        "My final answer to the question: {answer}.",
        "So, to the question as asked: {answer}.",
        "Where I end: {answer}.",
        "My answer has not changed in kind: {answer}.",
        "To close, {answer}.",
        "Last word from my seat: {answer}.",
    ],
    # -- round summaries (no digits: the summary names people, not numbers) ---------------
    "sum.answers": [
        "{names} answered {answer}.",
        "The common answer, from {names}: {answer}.",
        "{names} converged on {answer}.",
    ],
    "sum.options": [
        "{pairs} carried numbers on the options.",
        "The options got numbers from {pairs}.",
        "On the options: {pairs}.",
    ],
    "sum.open": [
        "{names} opened on {h}.",
        "The openings from {names} pointed at {h}.",
        "{names} read their evidence as {h}.",
    ],
    "sum.quiet": [
        "{names} found nothing failing in their own functions.",
        "{names} reported healthy numbers and looked elsewhere.",
        "For {names}, the lens was quiet.",
    ],
    "sum.contrarian": [
        "{name} argued the other side: {answer}.",
        "{name} kept the alternative on the table — {answer}.",
        "{name} stood against the room with {answer}.",
        "The dissent came from {name}: {answer}.",
        "{name} held out for {answer}.",
    ],
    "sum.pairs": [
        "Who answered whom: {pairs}.",
        "The exchanges ran {pairs}.",
        "Replies went {pairs}.",
        "Each took up a peer's number: {pairs}.",
    ],
    "sum.moved": [
        "{names} changed conviction and named the statement that moved them.",
        "Conviction moved for {names}, each with a cause named.",
        "{names} shifted, citing who moved them.",
        "{names} moved, and said why.",
    ],
    "sum.failed": [
        "{names} failed to speak this round (shown as failed).",
        "No statement from {names} this round: the turn failed.",
    ],
    "sum.fails": [
        "Assumptions that failed their test: {names}.",
        "{names} saw their own assumption fail against the data.",
        "The data broke the assumptions of {names}.",
    ],
}


def _h(*parts: str) -> int:
    return int(hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12], 16)


class Voice:
    """Chooses sentence forms for one record: seeded by the question and the data, each
    form at most twice while its kind has forms left (then the least used)."""

    def __init__(self, seed: str, grammar: dict[str, list[str]] | None = None) -> None:
        self.seed = seed
        self.grammar = GRAMMAR if grammar is None else grammar
        self.used: Counter[tuple[str, int]] = Counter()

    def say(self, kind: str, key: str, **slots: str) -> str:
        forms = self.grammar[kind]
        order = sorted(range(len(forms)), key=lambda i: _h(self.seed, kind, key, str(i)))
        pick = min(order, key=lambda i: (self.used[(kind, i)], order.index(i)))
        self.used[(kind, pick)] += 1
        text = forms[pick].format(**slots)
        return text[:1].upper() + text[1:]

    def pick(self, key: str, options: list[str]) -> str:
        """A deterministic choice among ``options`` (not counted as a form)."""
        return options[_h(self.seed, key) % len(options)]
