/**
 * Serves a generated company from the fake 1C in a process of its own, for the `onec` bench:
 * `node dist/bench/onec-fake/serve-fake.js <partners> <documents>` prints
 * `{"url":…,"user":…,"password":…,"lines":…}` on one line once listening; stops when its
 * standard input closes.
 */
import { Fake1C } from './fake-1c.js';
import { generateCompany, serve } from './onec-company.js';

const partners = Number(process.argv[2] ?? 1000);
const docs = Number(process.argv[3] ?? 10_000);
const fake = new Fake1C();
const company = generateCompany({ partners, products: Math.max(10, Math.round(partners / 10)), docs });
serve(company, fake);
const url = await fake.start();
const lines = fake.rows('AccumulationRegister_ВыручкаИСебестоимостьПродаж_RecordType').length;
process.stdout.write(`${JSON.stringify({ url, user: fake.user, password: fake.password, lines })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void fake.stop().then(() => process.exit(0)));
