"""Sentence forms of the argument: replies to a peer's number (from round 2), round 2
(the premise) and round 3 (proof). No form carries a digit.
"""

REPLIES: dict[str, list[str]] = {
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
}


PREMISE: dict[str, list[str]] = {
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
}


PROOF: dict[str, list[str]] = {
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
}
