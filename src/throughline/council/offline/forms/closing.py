"""Sentence forms of round 4 (assumptions), round 5 (the hidden story) and the round
summaries. No form carries a digit.
"""

ASSUMPTIONS: dict[str, list[str]] = {
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
}


STORY: dict[str, list[str]] = {
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
}


SUMMARIES: dict[str, list[str]] = {
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
