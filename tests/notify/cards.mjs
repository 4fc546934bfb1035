// The Teams messages the notification test received, checked by an
// independent implementation: Microsoft's own Adaptive Cards library
// (the `adaptivecards` npm package, what web clients render cards with)
// parses each card; any parse or validation event fails, and so does an
// element, fact or action the library drops on a round trip.
//
// usage: node tests/notify/cards.mjs DIR   (DIR: one Teams message per .json file)
import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const AC = require("adaptivecards/dist/adaptivecards.js");

const dir = process.argv[2];
const problems = [];
let cards = 0;
for (const name of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
  const message = JSON.parse(readFileSync(join(dir, name), "utf8"));
  const say = (what) => problems.push(`${name}: ${what}`);
  if (message.type !== "message" || message.attachments?.length !== 1) {
    say("not a Teams message with one attachment");
    continue;
  }
  const { contentType, content } = message.attachments[0];
  if (contentType !== "application/vnd.microsoft.card.adaptive") say(`contentType ${contentType}`);
  // The library checks `lang` with a /g regular expression, whose
  // lastIndex carries over from one card to the next (every second card
  // with a valid `lang` would fail): start each card afresh.
  AC.CardElement.langProperty.regEx.lastIndex = 0;
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  card.parse(content, context);
  for (let i = 0; i < context.eventCount; i++) say(`parse: ${context.getEventAt(i).message}`);
  for (const e of card.validateProperties().validationEvents) say(`validation: ${e.message}`);
  const back = card.toJSON();
  const count = (c, key) => (c[key] ?? []).length;
  for (const key of ["body", "actions"]) {
    if (count(back, key) !== count(content, key)) {
      say(`${key}: ${count(content, key)} sent, ${count(back, key)} understood`);
    }
  }
  const facts = (c) => (c.body ?? []).filter((b) => b.type === "FactSet").flatMap((b) => b.facts);
  if (facts(back).length !== facts(content).length) say("facts dropped");
  if (back.version !== content.version) say(`version ${content.version} read as ${back.version}`);
  cards += 1;
}
if (problems.length) {
  console.log(problems.join("\n"));
  console.log(`${problems.length} Adaptive Card problem(s) in ${cards} card(s)`);
  process.exit(1);
}
console.log(`adaptivecards: ${cards} card(s) parse and validate`);
