"""Sentence forms of round 1 (the blind opening) and of the Auditor in every round. No
form carries a digit.
"""

OPENING: dict[str, list[str]] = {
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
}


AUDITOR: dict[str, list[str]] = {
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
}
