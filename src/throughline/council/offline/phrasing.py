"""Sentence forms of the synthesised sections (verdict, plan, paths, predictions, risks,
story), chosen like the debate's (:class:`~.grammar.Voice`): seeded by the question and the
data, each form at most twice in a record while its kind has forms left. A different
question picks different forms, and most forms carry the question's own words (its
subject, its options, its horizon), so two questions on the same data share the
diagnosis, not the paragraphs.

Forms never carry a digit; numbers come from slots filled with a finding's metric shown
through the diagnose formatters, or a forecast's own values.

Slots: ``{h}``/``{H}`` the binding constraint (``{H}`` capitalised), ``{runner}``, ``{ask}``
the question quoted (short), ``{subject}`` what an open question is about ('win rate and
pipeline conversion'), ``{fact}`` a number as quoted, ``{title}`` a finding's title,
``{measure}`` 'win rate is 9.1% (1,200 closed deals)', ``{step}``/``{Step}`` a repair step,
``{wrong}`` the diagnosis' wrong remedy, ``{months}`` a horizon in words, ``{real}`` /
``{passes}`` what the constraint is and what it passes for, ``{better}`` the better story,
``{label}`` a series' name, ``{month}`` a month and year, ``{side}`` below/above,
``{level}`` a threshold as shown, ``{ch}`` a channel.
"""

from __future__ import annotations

SYNTH: dict[str, list[str]] = {
    # -- verdict, open question ---------------------------------------------------------------
    "v.head": [
        "{H} is what binds, and it is the first thing to repair.",
        "The binding constraint is {h}; repair it before anything else gets money.",
        "Of everything the data shows, {h} is the one constraint that binds.",
        "Start from {h}: it binds, and every other fix waits on it.",
    ],
    "v.head_subject": [
        "{Subject} is where {h} shows, not where it starts: {h} is the binding constraint.",
        "Read through {subject}, the answer is {h}: it binds, and {subject} follows from it.",
        "What looks like {passes} in {subject} is {real}.",
        "The answer to {ask} is {h}, the constraint that binds; {subject} is its symptom.",
    ],
    "v.proof": [
        "The clearest sign is {fact}, in “{title}”.",
        "“{title}” carries it: {fact}.",
        "The number behind that reading is {fact} (“{title}”).",
        "Its strongest evidence is {fact}, from “{title}”.",
        "What shows it most plainly: {fact}, in “{title}”.",
        "Read “{title}”: {fact}.",
    ],
    "v.subject": [
        "On the question's own measure, {measure}.",
        "As measured today, {measure}.",
        "For the measure the question names, {measure}.",
    ],
    "v.wrong": [
        "Do not reach for {wrong}: while {h} binds it repairs nothing.",
        "The tempting fix, {wrong}, is the one this diagnosis rules out.",
        "Spending on {wrong} would feel like action and leave {h} in place.",
        "{H} makes one remedy wrong: {wrong}.",
        "Whatever else happens, not {wrong} — not while {h} binds.",
    ],
    "v.runner": [
        "{Runner} is the case against, real enough to watch and too weak here to go first.",
        "The runner-up, {runner}, stays on the watch list; it does not outrank {h} in this data.",
        "{Runner} comes second, and the data does not let it go first.",
        "Against it stands {runner}, and it does not clear the bar.",
    ],
    "v.first": [
        "Begin this week: {step}",
        "The first move: {step}",
        "The repair opens with one step — {step}",
        "Within the week, {step}",
        "Day one of the repair: {step}",
    ],
    # -- action plan, open question -----------------------------------------------------------
    "p.subject": [
        "Read {subject} again on deals created after the first repair, apart from the old "
        "ones, so the answer to {ask} rests on cleaned numbers.",
        "Split {subject} into before and after the first repair, and report both to the "
        "leadership team.",
        "Put {subject} on the weekly review beside the repair's own evidence, so the two "
        "can be read together.",
    ],
    "p.subject_open": [
        "What does {subject} look like on the deals created since the change?",
        "If the repair works, which number in {subject} moves first, and when will we see it?",
        "Which of these numbers would we still believe if the repair had never happened?",
        "Which number in {subject} do we trust today, and why?",
    ],
    "p.order": [
        "Agree the order of the remaining repairs and one owner for each: {rest}.",
        "Write down who owns each later repair and in what order: {rest}.",
        "Set the sequence after the first repair, with a named owner per step: {rest}.",
    ],
    "p.order_open": [
        "Who owns each repair, and how will we know it worked?",
        "Which of these steps can start before the first one has shown results, and which "
        "cannot?",
        "In what order do we do the rest, and who owns each step?",
    ],
    "p.refuse": [
        "Say no, in writing, to {wrong} until the evidence for {h} has moved.",
        "Hold every request for {wrong} until the first repair shows in the numbers.",
        "Park {wrong}: it comes back to the table only after {h} has been repaired.",
    ],
    "p.refuse_open": [
        "We are not saying never; we are saying not before the number that limits us has "
        "moved.",
        "Which request in front of us amounts to {wrong}, and who will tell its owner to wait?",
        "What would we have to see before this comes back on the agenda?",
    ],
    "p.switch_if": [
        "If the next diagnosis puts {runner} above the threshold",
        "If {runner} overtakes {h} in the next diagnosis",
        "If a fresh diagnosis names {runner} instead",
        "If {runner} rises past {h} when the diagnosis is run again",
    ],
    "p.switch": [
        "Switch the first repair: {step}",
        "Move the effort to {runner}: {step}",
        "Change course to the runner-up's repair — {step}",
    ],
    "p.switch_open": [
        "If {runner} is what binds, what changes in our answer to {ask}?",
        "Which of our plans assumed the other constraint, and what do we stop first?",
        "What would we do differently this quarter if {runner} had been named first?",
    ],
    "p.dark_if": [
        "If {dark} still cannot show a number",
        "If nothing can yet be measured for {dark}",
    ],
    "p.dark": [
        "Instrument the minimum: pipeline by source, win rate, retention and handoff dates, "
        "before any investment decision.",
        "Give each dark function one number it owns — pipeline by source, win rate, "
        "retention, handoff dates — before money moves.",
    ],
    "p.review": [
        "Re-run the diagnosis, read {what} again, resolve the forecasts that are due, and "
        "answer {ask} on the new numbers.",
        "Take the question up again — {ask} — with a fresh diagnosis, {what} re-read and the "
        "due forecasts resolved.",
        "Review at the horizon: a new diagnosis, {what} on new data, the due forecasts "
        "scored, and {ask} answered again.",
    ],
    "p.review_open": [
        "Knowing what we know now, is {h} still what binds, and what is our answer to {ask}?",
        "What moved, what did not, and does {ask} have a different answer today?",
        "Which of our forecasts came true, and would we still answer {ask} the same way?",
    ],
    # -- future paths ---------------------------------------------------------------------------
    "f.act_title": [
        "You answer {ask} by repairing {h} first.",
        "You treat {h} as the root cause and start its repair this week.",
        "You put {h} first and let the rest wait on it.",
    ],
    "f.act": [
        "A quarter into the repair, {title} is measured again on new data.",
        "{Title} has moved the right way, or the repair is changed rather than defended.",
        "What the repair was meant to change, {title}, holds its new level.",
        "The next investment is judged on numbers that can be trusted.",
        "{Title} improves first; the rest of the evidence follows later.",
        "The leadership team reads {title} beside the forecast it made, and the two agree.",
    ],
    "f.clear": [
        "The next diagnosis no longer names {h} as binding.",
        "A fresh diagnosis ranks {h} below the threshold.",
        "{H} drops out of the binding position in the next diagnosis.",
    ],
    "f.keep_title": [
        "You keep going as now and reach for {wrong}.",
        "You leave {h} alone and spend on {wrong} instead.",
        "Nothing changes in how the pipeline is run, and {wrong} gets the budget.",
    ],
    "f.trend": [
        "Nothing has changed: the {label} stays where its trend puts it.",
        "The {label} keeps its course; no repair has touched it.",
        "Left alone, the {label} does what the trend says it will.",
        "The {label} drifts as before, because nothing was done about it.",
    ],
    "f.wrong": [
        "{Seen} is still read as {passes}; the wrong remedy gets the budget.",
        "The budget goes to fixing {passes}, and {seen} continues.",
    ],
    "f.dark": [
        "The functions that were dark are still dark, and every debate about them is still "
        "opinion.",
        "What could not be measured still cannot be, so the argument about it goes on.",
    ],
    "f.runner_title": [
        "You treat {runner} as the root cause instead and start its repair.",
        "You bet on {runner} rather than {h}.",
        "You read the data as {runner} and repair that instead.",
        "You set {h} aside and work on {runner}.",
    ],
    "f.runner_done": [
        "The runner-up's first repair is done.",
        "{Runner} has had its first repair.",
        "The repair aimed at {runner} is in place.",
        "Work on the runner-up is finished, and its evidence is read again.",
    ],
    "f.runner_still": [
        "The {h} evidence has not moved, because nothing worked on it.",
        "{H} still binds: nothing in this path touched it.",
        "Untouched, {h} is where it was.",
    ],
    # -- predictions ------------------------------------------------------------------------
    "fc.gap": [
        "The forecast for the period that includes {month} will exceed the bookings won "
        "in it.",
        "Bookings won in the period that includes {month} will fall short of that "
        "period's forecast.",
        "In the period containing {month}, the forecast will again run ahead of what is "
        "won.",
        "The period covering {month} will close with the forecast above the bookings won.",
    ],
    "fc.count": [
        "New {ch} deals created in {month} will number {side} {level}, their monthly level "
        "over the last year.",
        "In {month}, the count of new {ch} deals will come in {side} {level}, the level of "
        "the last year.",
        "The {ch} channel will create {side} {level} new deals in {month}, measured against "
        "its monthly level over the last year.",
        "Counted in {month}, new {ch} deals will be {side} {level}, the channel's monthly "
        "level over the last year.",
    ],
    "fc.level": [
        "The {label} for {month} will be {side} {level}, {basis}.",
        "By {month}, the {label} will sit {side} {level}, {basis}.",
        "The {label} will read {side} {level} in {month}, against {basis}.",
        "Come {month}, expect the {label} {side} {level}, {basis}.",
    ],
    # -- risks ------------------------------------------------------------------------------
    "r.runner": [
        "That {runner}, not {h}, is what binds.",
        "That {runner} is the real constraint and {h} only its shadow.",
        "That the runner-up, {runner}, binds harder than {h}.",
        "That {h} is the surface and {runner} the cause.",
    ],
    "r.runner_show": [
        "The evidence that would show it: {fact} (“{title}”) getting worse while {watch} "
        "improves.",
        "The evidence that would show it: {watch} improving after the repair while {fact} "
        "in “{title}” does not.",
        "The evidence that would show it: {fact}, from “{title}”, still failing once {watch} "
        "has recovered.",
    ],
    "r.coverage": [
        "The verdict rests on what is measured: {what}. A constraint hiding there would not "
        "show in this record.",
        "Where the data is silent, so is this verdict: {what}.",
        "This answer cannot see everything: {what}, and a constraint could hide there.",
        "Part of the company is out of the data's sight: {what}; the verdict says nothing about it.",
    ],
    "r.narrow": [
        "The lead over the runner-up is narrow; a modest change in the data could reorder "
        "them.",
        "Only a small margin separates {h} from {runner}; new data could swap them.",
    ],
    "r.against": [
        "Evidence that cuts against {h} being what binds: {fact} (“{title}”).",
        "Not everything points to {h}: “{title}” shows {fact}.",
    ],
    # -- evidence ---------------------------------------------------------------------------
    "e.subject": [
        "On what the question asks about, {measure}.",
        "The question's own measure: {measure}.",
        "Where the question looks, {measure}.",
    ],
    "e.passage": [
        "From “{title}”: “{line}”",
        "“{title}” puts the mechanism this way: “{line}”",
        "As “{title}” has it: “{line}”",
        "The library (“{title}”): “{line}”",
    ],
    "e.assumption": [
        "The assumption {assumption} does not survive “{title}”: {fact}.",
        "Tested against “{title}”, the belief {assumption} fails — {fact}.",
        "The number {fact}, in “{title}”, breaks the assumption {assumption}.",
        "One premise fails against “{title}”: {assumption} — the number is {fact}.",
    ],
    # -- deeper story ----------------------------------------------------------------------
    "s.masq": [
        "Under the argument runs one story: {masq}.",
        "Beneath the numbers sits a single story — {masq}.",
        "Strip the debate down and one story remains: {masq}.",
        "Read as one story, {masq}.",
    ],
    "s.protects": [
        "What the current story protects — {protects} — is also what keeps the repair from "
        "starting.",
        "The story survives because it shelters {protects}.",
        "It is comfortable to keep, because it protects {protects}.",
    ],
    "s.better": [
        "The better story is that {better}.",
        "A better story to tell the board: {better}.",
        "The story worth earning instead: {better}.",
        "The story the company could tell instead: {better}.",
        "Better, and truer: {better}.",
    ],
    "s.question": [
        "Asked as {ask}, the question points at {subject}; the story points at {h}.",
        "That is why {ask} has an answer in {h} rather than in {subject} itself.",
        "{Subject} is where the question looks; {h} is where the story starts.",
    ],
    "s.question_open": [
        "Asked as {ask}, the question is already the right one: it names the constraint "
        "before the remedy.",
        "Answering {ask} means naming the story before choosing a repair.",
    ],
}
