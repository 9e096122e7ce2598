// Record templates: PII, hard-negative and clean lines for the three corpus
// files. Each template starts a record, builds one line and returns
// finish()'s result (or null when the line must be redrawn).

import * as V from './values.mjs';
import { person, nationalIdValue, ID_WORDS, LOCALES } from './people.mjs';
import { PII_MESSAGES, CLEAN_MESSAGES } from './messages.mjs';
import { begin, P, N, finish, finishJson } from './record.mjs';
import { formEncode, formEncodeLoose, RawJson } from './encode.mjs';
import { int, pick, chance, weighted, hex, chars, digits, pad, digitsNZ, ALNUM, UPPER, LOWER, DIGITS } from './rng.mjs';
import { fakerEN_US } from '@faker-js/faker';

const F = fakerEN_US;
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clf() {
    return `${pad(int(1, 28), 2)}/${pick(MON)}/${int(2024, 2026)}:${pad(int(0, 23), 2)}:${pad(int(0, 59), 2)}:${pad(int(0, 59), 2)} ${pick(['+0000', '+0100', '+0200', '-0500', '+0530', '+0900'])}`;
}
function isoNow() { return V.isoTimestamp(); }
function logTs() {
    return `${int(2024, 2026)}-${pad(int(1, 12), 2)}-${pad(int(1, 28), 2)}T${pad(int(0, 23), 2)}:${pad(int(0, 59), 2)}:${pad(int(0, 59), 2)}.${digits(3)}Z`;
}
function syslogTs() { return `${pick(MON)} ${String(int(1, 28)).padStart(2, ' ')} ${pad(int(0, 23), 2)}:${pad(int(0, 59), 2)}:${pad(int(0, 59), 2)}`; }

// A browser user agent; when <labelVersion> the IPv4-shaped version token is
// labeled as a "version" hard negative.
function userAgent(labelVersion) {
    const v = int(112, 131);
    const chrome = `Chrome/${v}.0.0.0`;
    const tok = labelVersion ? N('version', chrome) : chrome;
    return pick([
        `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) ${tok} Safari/537.36`,
        `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) ${tok} Safari/537.36`,
        `Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) ${tok} Mobile Safari/537.36`,
        `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ${tok} Safari/537.36 Edg/${v}.0.2478.${int(10, 99)}`,
    ]);
}
function plainUserAgent() {
    return pick([
        `Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1`,
        `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${int(115, 133)}.0) Gecko/20100101 Firefox/${int(115, 133)}.0`,
        `okhttp/4.12.0`, `curl/8.${int(0, 9)}.${int(0, 3)}`, `python-requests/2.${int(25, 32)}.${int(0, 3)}`,
        `Go-http-client/1.1`, `PostmanRuntime/7.${int(30, 42)}.${int(0, 5)}`,
    ]);
}
function anyUa(labelVersion) { return chance(0.6) ? userAgent(labelVersion) : plainUserAgent(); }

function ip(kind) { return chance(0.72) ? V.ipv4(kind) : V.ipv6(); }
function ipType(v) { return v.includes(':') ? 'ipv6' : 'ipv4'; }
function Pip(v) { return P(ipType(v), v); }

function jsonStyle() {
    return weighted([[70, {}], [15, { spaced: true }], [8, { asciiOnly: true, spaced: true }], [7, { escapeSlash: true }]]);
}

// Form value encoders: browsers encode fully; some clients leave "@" and "/".
function formVal(type, v, loose) {
    const raw = loose ? formEncodeLoose(v) : formEncode(v);
    P(type, v, raw);
    return raw;
}
function formNeg(type, v) {
    const raw = formEncode(v);
    N(type, v, raw);
    return raw;
}
function formPlain(v) { return formEncode(v); }
function formBody(pairs) { return pairs.map(([k, v]) => `${k}=${v}`).join('&'); }

function bearer() {
    if (chance(0.5)) return ['jwt', V.jwt()];
    return ['bearer_token', V.opaqueToken()];
}

function amountCents() { return int(199, 250000); }
function currency() { return pick(['usd', 'eur', 'gbp', 'brl', 'inr', 'aud', 'jpy', 'mxn']); }
function apiPath() { return pick(['/api/v1/users', '/api/v2/accounts', '/v1/customers', '/account/profile', '/api/signup', '/v1/payments', '/checkout/confirm', '/api/v1/contacts/search']); }

// ====================================================================== PII: JSON

// How KYC providers name the document types.
const DOC_TYPE = {
    us_ssn: 'ssn', us_itin: 'itin', uk_nino: 'national_insurance_number', uk_nhs: 'nhs_number', ca_sin: 'sin',
    es_dni: 'dni', es_nie: 'nie', it_fiscal_code: 'codice_fiscale', fr_nir: 'nir', nl_bsn: 'bsn', br_cpf: 'cpf',
    in_aadhaar: 'aadhaar', cn_resident_id: 'resident_identity_card',
};

const J = 'json.jsonl';

export const PII_JSON = [
    [12, function signup() {
        const p = person();
        begin(J, 'pii');
        const style = jsonStyle();
        const u = {
            id: V.uuid(),
            [pick(['firstName', 'first_name', 'given_name'])]: P('person_name', p.first),
            [pick(['lastName', 'last_name', 'family_name'])]: P('person_name', p.last),
            email: P('email', p.email),
            phone: chance(0.7) ? P('phone', chance(0.5) ? p.phoneE164 : p.phone) : undefined,
            [pick(['dob', 'birthDate', 'date_of_birth', 'birthday'])]: chance(0.4) ? P('date_of_birth', p.dobIso) : undefined,
            password: chance(0.25) ? P('secret_field', V.password()) : undefined,
            locale: p.locale.replace('_', '-'),
            marketing_opt_in: chance(0.5),
        };
        const doc = { event: 'user.signup', user: u, ip: Pip(ip()), userAgent: userAgent(true), created_at: N('timestamp', isoNow()) };
        return finishJson(doc, style);
    }],
    [16, function payment() {
        const p = person();
        begin(J, 'pii');
        const card = V.creditCard(weighted([[60, 'compact'], [30, 'spaced'], [10, 'dashed']]));
        const cardKey = pick(['number', 'card_number', 'cardNumber', 'pan', 'number']);
        const doc = {
            id: `pi_${chars(24, ALNUM)}`, object: 'payment_intent', amount: amountCents(), currency: currency(),
            order_id: N('order_id', V.orderId()),
            payment_method: {
                type: 'card',
                card: { [cardKey]: P('credit_card', card), exp_month: int(1, 12), exp_year: int(2026, 2032), cvc: chance(0.3) ? P('secret_field', digits(3)) : undefined },
                billing_details: { name: P('person_name', p.fullName), email: chance(0.6) ? P('email', p.email) : undefined, address: { city: p.city, postal_code: p.zip, country: p.country } },
            },
            created: +N('epoch', V.epochSeconds()),
            metadata: { request_id: N('request_id', V.requestId()) },
        };
        return finishJson(doc, jsonStyle());
    }],
    [7, function cardInNumberField() {
        // A card sent as a bare JSON number, as some legacy clients do.
        begin(J, 'pii');
        const { digits: d } = V.cardDigits(pick(['visa', 'mastercard', 'amex', 'discover']));
        const doc = { merchant: `m_${hex(8)}`, txn: { card: new RawJson(P('credit_card', d)), amount: amountCents() / 100, ts: N('timestamp', isoNow()) } };
        return finishJson(doc, {});
    }],
    [15, function payoutEU() {
        const p = person(pick(['de', 'fr', 'es', 'it', 'nl', 'en_GB', 'pt_BR', 'de', 'fr']));
        begin(J, 'pii');
        const iban = chance(0.5) ? V.iban(null, 'compact') : p.iban;
        const doc = {
            type: 'payout.created', payout: {
                id: `po_${chars(20, ALNUM)}`, amount: amountCents(), currency: 'eur',
                destination: { [pick(['iban', 'IBAN', 'account_iban', 'ibanNumber'])]: P('iban', iban), bic: pick(['DEUTDEFF', 'BNPAFRPP', 'COBADEFFXXX', 'INGBNL2A', 'BSCHESMM', 'UNCRITMM']), [pick(['account_holder', 'holder_name', 'beneficiary_name'])]: P('person_name', p.fullName) },
                reference: N('invoice_number', V.invoiceNumber()),
            }, created_at: N('timestamp', isoNow()),
        };
        return finishJson(doc, jsonStyle());
    }],
    [11, function achUS() {
        const p = person('en_US');
        begin(J, 'pii');
        const doc = {
            object: 'bank_account', [pick(['routing_number', 'routingNumber', 'aba', 'aba_routing'])]: P('us_bank_routing', V.aba()),
            account_number: P('secret_field', digitsNZ(int(8, 12))), account_holder_type: pick(['individual', 'company']),
            account_holder_name: P('person_name', p.fullName), status: 'new', created: +N('epoch', V.epochSeconds()),
        };
        return finishJson(doc, jsonStyle());
    }],
    [10, function shippingOrder() {
        const p = person();
        begin(J, 'pii');
        const doc = {
            order_id: N('order_id', V.orderId()), status: pick(['paid', 'fulfilled', 'shipped']),
            customer: { [pick(['full_name', 'name', 'fullName'])]: P('person_name', p.fullName), email: P('email', p.email), phone: P('phone', p.phone) },
            shipping_address: { line1: p.street, city: p.city, postal_code: p.zip, country: p.country },
            items: [{ sku: N('sku', V.sku()), qty: int(1, 5), unit_price: N('price', V.price()) }],
            tracking_number: chance(0.5) ? N('tracking_number', V.trackingNumber()) : undefined,
            created_at: N('timestamp', isoNow()),
        };
        return finishJson(doc, jsonStyle());
    }],
    [16, function kyc() {
        const p = person(weighted([[5, 'en_US'], [2, 'en_GB'], [2, 'fr'], [2, 'es'], [2, 'it'], [2, 'nl'], [2, 'pt_BR'], [2, 'en_IN'], [2, 'en_CA'], [2, 'zh_CN']]));
        begin(J, 'pii');
        const [kind, idv] = p.nationalId();
        const doc = {
            applicant: {
                first_name: P('person_name', p.first), last_name: P('person_name', p.last),
                [pick(['date_of_birth', 'dob', 'birthDate'])]: P('date_of_birth', p.dobIso),
                nationality: p.country,
                document: { type: DOC_TYPE[kind], number: P(kind, idv), issued: N('timestamp', V.isoTimestamp().slice(0, 10)) },
            },
            address: { street: p.street, city: p.city, postcode: p.zip },
            ip_address: Pip(ip()),
            check: { id: V.uuid(), result: pick(['clear', 'consider']), completed_at: N('timestamp', isoNow()) },
        };
        return finishJson(doc, jsonStyle());
    }],
    [10, function kycSsnNumeric() {
        const p = person('en_US');
        begin(J, 'pii');
        const [k, v] = chance(0.85) ? ['us_ssn', V.ssn('dashed')] : ['us_itin', V.itin()];
        const doc = { customer_id: `cus_${chars(14, ALNUM)}`, tax_id_type: k === 'us_ssn' ? 'ssn' : 'itin', [k === 'us_ssn' ? pick(['ssn', 'tax_id', 'ssn']) : 'itin']: P(k, v), name: P('person_name', p.fullName), verified: chance(0.5) };
        return finishJson(doc, jsonStyle());
    }],
    [12, function supportTicket() {
        const p = person();
        const msgs = PII_MESSAGES[p.lang];
        begin(J, 'pii');
        const body = pick(msgs)(p, P, N);
        const doc = {
            ticket_id: N('order_id', `T-${int(100000, 999999)}`), channel: pick(['email', 'web', 'chat']), subject: pick(['Refund', 'Account', 'Billing question', 'Help', 'Order issue']),
            body, requester: { name: P('person_name', p.fullName), email: P('email', p.email) },
            created_at: N('timestamp', isoNow()), tags: ['inbound'],
        };
        return finishJson(doc, jsonStyle());
    }],
    [12, function requestLog() {
        begin(J, 'pii');
        const [bt, tok] = bearer();
        const client = ip();
        const doc = {
            level: 'info', ts: +N('epoch', V.epochMillis()), msg: 'request', method: pick(['GET', 'POST', 'PUT', 'DELETE']), path: apiPath(),
            remote_addr: Pip(client),
            headers: { authorization: `Bearer ${P(bt, tok)}`, 'x-forwarded-for': `${Pip(V.ipv4())}, ${Pip(V.ipv4('private'))}`, 'user-agent': anyUa(false), 'x-request-id': N('request_id', V.uuid()) },
            status: +N('http_status', pick(['200', '201', '204', '401', '403', '404', '500', '502'])), latency_ms: int(1, 2500),
        };
        return finishJson(doc, jsonStyle());
    }],
    [8, function secretsLeak() {
        begin(J, 'pii');
        const pw = V.password();
        const user = pick(['app', 'admin', 'billing', 'svc_reader', 'root']);
        const creds = `${user}:${formEncode(pw).replace(/\+/g, '%20')}`;
        const doc = {
            service: pick(['billing', 'search', 'auth', 'notifier']), env: pick(['prod', 'staging']),
            config: {
                aws_access_key_id: chance(0.6) ? P('aws_access_key_id', V.awsAccessKeyId()) : undefined,
                aws_secret_access_key: chance(0.4) ? P('secret_field', chars(40, ALNUM + '/+')) : undefined,
                github_token: chance(0.5) ? P('github_token', V.githubToken()) : undefined,
                slack_token: chance(0.4) ? P('slack_token', V.slackToken()) : undefined,
                stripe_key: chance(0.4) ? P('stripe_key', V.stripeKey()) : undefined,
                database_url: `${pick(['postgres', 'mysql', 'redis', 'mongodb'])}://${P('url_credentials', creds)}@${pick(['db.internal', 'db-1.prod.local', 'cache.internal'])}:${pick([5432, 3306, 6379, 27017])}/${pick(['app', 'main', '0'])}`,
            },
            loaded_at: N('timestamp', isoNow()),
        };
        return finishJson(doc, jsonStyle());
    }],
    [6, function tokenInBody() {
        begin(J, 'pii');
        const t = pick(['github_token', 'slack_token', 'stripe_key', 'aws_access_key_id', 'jwt']);
        const v = { github_token: V.githubToken, slack_token: V.slackToken, stripe_key: V.stripeKey, aws_access_key_id: V.awsAccessKeyId, jwt: () => V.jwt() }[t]();
        const doc = { level: 'warn', msg: `upstream call failed, credential ${P(t, v)} rejected`, attempt: int(1, 5), ts: N('timestamp', isoNow()) };
        return finishJson(doc, jsonStyle());
    }],
    [8, function device() {
        begin(J, 'pii');
        const doc = {
            device_id: V.uuid(), model: pick(['RPi4', 'EdgeRouter X', 'Pixel 8', 'ThinkPad T14']), firmware: N('semver', V.semver()),
            network: { mac: P('mac_address', V.macAddress()), ipv4: P('ipv4', V.ipv4()), ipv6: P('ipv6', V.ipv6()) },
            last_seen: N('epoch', String(V.epochSeconds())),
        };
        return finishJson(doc, jsonStyle());
    }],
    [4, function privateKeyJson() {
        begin(J, 'pii');
        const doc = { level: 'error', msg: 'failed to parse key', service: 'tls-loader', key: P('private_key', V.privateKey()), ts: N('timestamp', isoNow()) };
        return finishJson(doc, { escapeSlash: chance(0.2) });
    }],
    [5, function pythonTraceback() {
        const p = person();
        begin(J, 'pii');
        const inner = pick([
            () => `ValueError: invalid email address: ${P('email', p.email)}`,
            () => `stripe.error.CardError: Your card was declined. (card=${P('credit_card', p.card)})`,
            () => `psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "users_phone_key" DETAIL: Key (phone)=(${P('phone', p.phoneE164)}) already exists.`,
        ])();
        const exc = `Traceback (most recent call last):\n  File "/app/handlers/users.py", line ${int(20, 400)}, in create\n    user = service.create(payload)\n${inner}`;
        const doc = { level: 'error', logger: 'app.handlers', exc, ts: N('timestamp', isoNow()) };
        return finishJson(doc, jsonStyle());
    }],
    [10, function webhookCustomer() {
        const p = person();
        begin(J, 'pii');
        const doc = {
            id: `evt_${chars(24, ALNUM)}`, type: pick(['customer.created', 'customer.updated']),
            data: { object: { id: `cus_${chars(14, ALNUM)}`, email: P('email', p.email), name: P('person_name', p.fullName), phone: chance(0.7) ? P('phone', p.phoneE164) : undefined, address: { city: p.city, country: p.country }, created: +N('epoch', V.epochSeconds()) } },
        };
        return finishJson(doc, jsonStyle());
    }],
    [8, function contactSync() {
        // Several people in one document, phones in national formats.
        begin(J, 'pii');
        const contacts = [];
        for (let i = 0, n = int(2, 4); i < n; i++) {
            const p = person();
            contacts.push({ display_name: P('person_name', p.fullName), phone_numbers: [{ type: pick(['mobile', 'work', 'home']), value: P('phone', p.phone) }], emails: chance(0.5) ? [P('email', p.email)] : [] });
        }
        return finishJson({ sync_token: N('base64', V.base64Blob()), contacts }, jsonStyle());
    }],
    [6, function audit() {
        const p = person();
        begin(J, 'pii');
        const a = ip();
        const doc = { '@timestamp': N('timestamp', isoNow()), event: { action: pick(['login', 'password_reset', 'mfa_challenge']), outcome: pick(['success', 'failure']) }, user: { email: P('email', p.email) }, source: { ip: Pip(a) }, user_agent: { original: userAgent(true) } };
        return finishJson(doc, jsonStyle());
    }],
    [5, function graphqlVars() {
        const p = person();
        begin(J, 'pii');
        const doc = { operationName: 'UpdateProfile', variables: { input: { fullName: P('person_name', p.fullName), contactEmail: P('email', p.email), mobile: P('phone', p.phone), birthDate: P('date_of_birth', p.dobIso) } }, query: 'mutation UpdateProfile($input: ProfileInput!) { updateProfile(input: $input) { id } }' };
        return finishJson(doc, jsonStyle());
    }],
];

// ====================================================================== PII: form

const FM = 'form.txt';

export const PII_FORM = [
    [14, function signupForm() {
        const p = person();
        begin(FM, 'pii');
        const loose = chance(0.25);
        const pairs = [
            ['first_name', formVal('person_name', p.first, loose)], ['last_name', formVal('person_name', p.last, loose)],
            ['email', formVal('email', p.email, loose)],
        ];
        if (chance(0.6)) pairs.push(['phone', formVal('phone', p.phone, loose)]);
        if (chance(0.4)) pairs.push(['password', formVal('secret_field', V.password(), loose)]);
        if (chance(0.3)) pairs.push(['dob', formVal('date_of_birth', p.dobIso, loose)]);
        pairs.push(['terms', 'on'], ['_csrf', formPlain(V.base64Blob())]);
        return finish(formBody(pairs));
    }],
    [16, function cardForm() {
        const p = person();
        begin(FM, 'pii');
        const pairs = [
            [pick(['cardnumber', 'card_number', 'cc_number', 'number']), formVal('credit_card', p.card)],
            ['exp', formPlain(`${pad(int(1, 12), 2)}/${int(26, 32)}`)], ['cvc', formVal('secret_field', digits(pick([3, 3, 4])))],
            [pick(['name', 'cardholder', 'name_on_card']), formVal('person_name', p.fullName)],
            ['amount', formNeg('price', V.price())],
        ];
        return finish(formBody(pairs));
    }],
    [10, function contactForm() {
        const p = person();
        begin(FM, 'pii');
        const msg = pick(PII_MESSAGES[p.lang]);
        // The message text is encoded as a whole: each label inside it is the
        // encoded form of the value.
        const labels = [];
        const Pm = (t, v) => { labels.push([t, v]); return v; };
        const Nm = (t, v) => { labels.push(['!' + t, v]); return v; };
        const text = msg(p, Pm, Nm);
        for (const [t, v] of labels) {
            if (t.startsWith('!')) N(t.slice(1), v, formEncode(v));
            else P(t, v, formEncode(v));
        }
        const pairs = [['name', formVal('person_name', p.fullName)], ['email', formVal('email', p.email)], ['subject', formPlain(pick(['Billing', 'Support', 'Other']))], ['message', formEncode(text)]];
        return finish(formBody(pairs));
    }],
    [12, function bankForm() {
        const p = person(pick(['de', 'fr', 'es', 'it', 'nl', 'en_GB']));
        begin(FM, 'pii');
        const pairs = [['iban', formVal('iban', p.iban)], ['bic', pick(['DEUTDEFF', 'BNPAFRPP', 'INGBNL2A'])], ['account_holder', formVal('person_name', p.fullName)], ['mandate', 'sepa_core']];
        return finish(formBody(pairs));
    }],
    [10, function achForm() {
        const p = person('en_US');
        begin(FM, 'pii');
        const pairs = [['routing_number', formVal('us_bank_routing', V.aba())], ['account_number', formVal('secret_field', digitsNZ(10))], ['account_type', pick(['checking', 'savings'])], ['name', formVal('person_name', p.fullName)]];
        return finish(formBody(pairs));
    }],
    [8, function oauthPassword() {
        const p = person();
        begin(FM, 'pii');
        const pairs = [['grant_type', 'password'], ['username', formVal('email', p.email, chance(0.3))], ['password', formVal('secret_field', V.password())], ['client_id', chars(20, ALNUM)], ['scope', formPlain('openid profile')]];
        return finish(formBody(pairs));
    }],
    [8, function kycForm() {
        const p = person(pick(['en_US', 'en_US', 'en_GB', 'es', 'it', 'fr', 'nl', 'pt_BR', 'en_IN', 'en_CA']));
        begin(FM, 'pii');
        const [k, v] = p.nationalId();
        const pairs = [['full_name', formVal('person_name', p.fullName)], [pick(['date_of_birth', 'dob', 'birthdate']), formVal('date_of_birth', p.dob)], [pick(['id_number', 'national_id', k === 'us_ssn' ? 'ssn' : 'tax_id']), formVal(k, v)], ['country', p.country]];
        return finish(formBody(pairs));
    }],
    [8, function trackingBeacon() {
        const p = person();
        begin(FM, 'pii');
        const pairs = [['v', '1'], ['tid', `UA-${int(1000000, 9999999)}-1`], ['cid', V.uuid()], ['uip', formVal(ipType(p.ip = ip()), p.ip)], ['ea', formVal('email', p.email)], ['ua', formPlain(plainUserAgent())]];
        return finish(formBody(pairs));
    }],
    [6, function newsletterForm() {
        const p = person();
        begin(FM, 'pii');
        const pairs = [['EMAIL', formVal('email', p.email, chance(0.5))], ['FNAME', formVal('person_name', p.first)], ['b_' + hex(24), ''], ['subscribe', 'Subscribe']];
        return finish(formBody(pairs));
    }],
    [6, function smsForm() {
        const p = person();
        begin(FM, 'pii');
        const pairs = [['To', formVal('phone', p.phoneE164)], ['From', formVal('phone', V.phone('US', { e164: true }))], ['Body', formPlain(`Your verification code is ${int(100000, 999999)}`)]];
        return finish(formBody(pairs));
    }],
];

// ====================================================================== PII: text

const T = 'text.txt';

function qsPairs(p) {
    const opts = [
        () => [['email', (() => { const raw = formEncode(p.email); P('email', p.email, raw); return raw; })()]],
        () => [['phone', (() => { const raw = formEncode(p.phoneE164); P('phone', p.phoneE164, raw); return raw; })()]],
        () => [['q', (() => { const raw = formEncode(p.email); P('email', p.email, raw); return raw; })()], ['page', String(int(1, 9))]],
        () => [['user', (() => { const raw = formEncodeLoose(p.email); P('email', p.email, raw); return raw; })()]],
        () => [['ref', pick(['nav', 'footer', 'mail'])]],
    ];
    return pick(opts)();
}

export const PII_TEXT = [
    [22, function nginx() {
        const p = person();
        begin(T, 'pii');
        const client = ip(weighted([[80, 'public'], [20, 'doc']]));
        const qs = qsPairs(p);
        const path = `${pick(['/api/v1/users/lookup', '/search', '/account/verify', '/unsubscribe', '/v2/contacts'])}?${qs.map(([k, v]) => `${k}=${v}`).join('&')}`;
        const status = pick(['200', '200', '200', '302', '404', '500']);
        const line = `${Pip(client)} - - [${clf()}] "${pick(['GET', 'GET', 'POST'])} ${path} HTTP/1.1" ${status} ${int(0, 50000)} "${pick(['-', 'https://app.example.com/settings', 'https://www.google.com/'])}" "${anyUa(true)}"${chance(0.4) ? ` rt=${(int(1, 3000) / 1000).toFixed(3)}` : ''}`;
        return finish(line);
    }],
    [10, function nginxPlain() {
        begin(T, 'pii');
        const client = chance(0.5) ? V.ipv6() : V.ipv4();
        const line = `${Pip(client)} - ${pick(['-', '-', 'api'])} [${clf()}] "${pick(['GET', 'POST', 'PUT'])} ${pick(['/healthz', '/api/v1/orders', '/static/app.js', '/login', '/graphql'])} HTTP/${pick(['1.1', '2.0'])}" ${pick(['200', '204', '301', '401', '404'])} ${int(0, 90000)} "-" "${anyUa(true)}"`;
        return finish(line);
    }],
    [14, function appLogKv() {
        const p = person();
        begin(T, 'pii');
        const parts = [`${N('timestamp', logTs())} ${pick(['INFO ', 'WARN ', 'DEBUG'])} ${pick(['user.update', 'signup', 'profile.save', 'crm.sync'])}`, `user_id=${int(1000, 999999)}`];
        const fields = [
            () => `email=${P('email', p.email)}`, () => `phone="${P('phone', p.phone)}"`, () => `ip=${Pip(ip())}`,
            () => `dob=${P('date_of_birth', p.dobIso)}`, () => `card=${P('credit_card', p.card)}`, () => `iban=${P('iban', p.iban.replace(/ /g, ''))}`,
            () => `mac=${P('mac_address', V.macAddress())}`,
        ];
        const chosen = [];
        const want = int(2, 4);
        while (chosen.length < want) { const f = pick(fields); if (!chosen.includes(f)) chosen.push(f); }
        for (const f of chosen) parts.push(f());
        parts.push(`request_id=${N('request_id', V.requestId())}`);
        return finish(parts.join(' '));
    }],
    [10, function headers() {
        begin(T, 'pii');
        const [bt, tok] = bearer();
        const line = pick([
            () => `> Authorization: Bearer ${P(bt, tok)}`,
            () => `Authorization: Bearer ${P(bt, tok)}`,
            () => `${N('timestamp', logTs())} DEBUG http.client send: headers={"Host": "api.partner.com", "Authorization": "Bearer ${P(bt, tok)}", "Accept": "application/json"}`,
            () => `X-Forwarded-For: ${Pip(V.ipv4())}, ${Pip(V.ipv4())}`,
            () => `X-Real-IP: ${Pip(ip())}`,
            () => `${N('timestamp', logTs())} upstream connect to [${P('ipv6', V.ipv6(pick(['full', 'compressed', 'upper'])))}]:${pick([443, 8443, 8080])} failed (${pick(['111: Connection refused', '110: Connection timed out'])}) while connecting to upstream`,
            () => `${N('timestamp', logTs())} proxy: client=${Pip(ip())} xff="${Pip(V.ipv4())}, ${Pip(V.ipv4('private'))}" upstream=${Pip(V.ipv4('private'))}:${pick([8080, 3000, 9000])} status=${N('http_status', pick(['200', '502', '504']))}`,
        ])();
        return finish(line);
    }],
    [10, function stackTrace() {
        const p = person();
        begin(T, 'pii');
        const msg = pick([
            () => `com.acme.payments.CardDeclinedException: card ${P('credit_card', p.card)} declined (do_not_honor)`,
            () => `javax.mail.SendFailedException: Invalid Addresses; nested exception is: 550 5.1.1 <${P('email', p.email)}>: Recipient address rejected`,
            () => `java.lang.IllegalArgumentException: Invalid IBAN for customer: ${P('iban', p.iban)}`,
            () => `org.postgresql.util.PSQLException: ERROR: duplicate key value violates unique constraint "uq_users_phone" Detail: Key (phone)=(${P('phone', p.phoneE164)}) already exists.`,
            () => `java.net.ConnectException: Connection refused (upstream ${Pip(V.ipv4('private'))}:5432, client ${Pip(ip())})`,
        ])();
        const line = `${N('timestamp', `${int(2024, 2026)}-${pad(int(1, 12), 2)}-${pad(int(1, 28), 2)} ${pad(int(0, 23), 2)}:${pad(int(0, 59), 2)}:${pad(int(0, 59), 2)},${digits(3)}`)} ERROR [http-nio-8080-exec-${int(1, 20)}] c.a.p.${pick(['PaymentService', 'MailSender', 'CustomerRepository'])} - ${msg}\\n\\tat com.acme.payments.Gateway.charge(Gateway.java:${int(40, 400)})\\n\\tat com.acme.web.CheckoutController.confirm(CheckoutController.java:${int(40, 400)})\\n\\t... ${int(10, 80)} more`;
        return finish(line);
    }],
    [34, function support() {
        const p = person();
        begin(T, 'pii');
        return finish(pick(PII_MESSAGES[p.lang])(p, P, N));
    }],
    [12, function supportIds() {
        const p = person(pick(['en_US', 'en_GB', 'en_CA', 'en_IN', 'zh_CN', 'es', 'fr', 'it', 'nl', 'pt_BR']));
        begin(T, 'pii');
        const [k, v] = p.nationalId();
        return finish(pick([
            () => `Customer says their ${pick(ID_WORDS[k])} is ${P(k, v)}, please verify before unlocking.`,
            () => `${pick(ID_WORDS[k])}: ${P(k, v)}`,
            () => `KYC note: ${pick(ID_WORDS[k])} ${P(k, v)} matched, DOB ${P('date_of_birth', p.dob)}`,
        ])());
    }],
    [16, function ssnText() {
        begin(T, 'pii');
        const s = V.ssn(weighted([[70, 'dashed'], [15, 'bare'], [15, 'spaced']]));
        return finish(pick([
            () => `SSN: ${P('us_ssn', s)}`, () => `verified applicant, ssn ${P('us_ssn', s)}, score 712`,
            () => `Please confirm your SSN ${P('us_ssn', s)} on the W-9.`, () => `W-9 received (TIN ${P('us_ssn', s)})`,
        ])());
    }],
    [14, function routingText() {
        begin(T, 'pii');
        const r = V.aba();
        return finish(pick([
            () => `${N('timestamp', logTs())} INFO ach.transfer created routing=${P('us_bank_routing', r)} amount=${N('price', V.price())}`,
            () => `Please use ABA ${P('us_bank_routing', r)} for incoming wires.`,
            () => `Direct deposit form: routing number ${P('us_bank_routing', r)}, checking account.`,
            () => `RTN ${P('us_bank_routing', r)} / ACH`,
        ])());
    }],
    [8, function syslog() {
        begin(T, 'pii');
        return finish(pick([
            () => `${syslogTs()} web-${int(1, 9)} sshd[${int(1000, 65000)}]: Failed password for invalid user ${pick(['admin', 'oracle', 'test', 'ubuntu'])} from ${Pip(ip())} port ${int(1024, 65535)} ssh2`,
            () => `${syslogTs()} web-${int(1, 9)} sshd[${int(1000, 65000)}]: Accepted publickey for deploy from ${Pip(ip())} port ${int(1024, 65535)} ssh2: RSA SHA256:${chars(43, ALNUM)}`,
            () => `${syslogTs()} gw dhcpd[${int(100, 9999)}]: DHCPACK on ${P('ipv4', V.ipv4('private'))} to ${P('mac_address', V.macAddress())} (${pick(['laptop', 'iphone', 'printer', 'tv'])}) via eth0`,
            () => `${syslogTs()} ap-${int(1, 9)} hostapd: wlan0: STA ${P('mac_address', V.macAddress())} IEEE 802.11: associated`,
            () => `${syslogTs()} fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=${Pip(V.ipv4())} DST=${Pip(V.ipv4('private'))} LEN=${int(40, 1500)} PROTO=TCP SPT=${int(1024, 65535)} DPT=${pick([22, 23, 3389, 445])}`,
            () => `${syslogTs()} fw kernel: [UFW BLOCK] IN=eth0 OUT= SRC=${P('ipv6', V.ipv6())} DST=${P('ipv6', V.ipv6('full'))} PROTO=TCP`,
        ])());
    }],
    [9, function credentialsText() {
        begin(T, 'pii');
        const pw = V.password();
        const user = pick(['deploy', 'admin', 'ci-bot', 'jenkins']);
        const userinfo = `${user}:${formEncode(pw).replace(/\+/g, '%20')}`;
        return finish(pick([
            () => `curl -s -H "Authorization: Bearer ${P('bearer_token', V.opaqueToken())}" https://api.example.com/v1/me`,
            () => `+ git clone https://${P('url_credentials', userinfo)}@github.com/acme/infra.git`,
            () => `DATABASE_URL=postgres://${P('url_credentials', userinfo)}@db.internal:5432/app`,
            () => `AWS_ACCESS_KEY_ID=${P('aws_access_key_id', V.awsAccessKeyId())}`,
            () => `export GITHUB_TOKEN=${P('github_token', V.githubToken())}`,
            () => `SLACK_BOT_TOKEN=${P('slack_token', V.slackToken())}`,
            () => `STRIPE_SECRET_KEY=${P('stripe_key', V.stripeKey())}`,
            () => `${N('timestamp', logTs())} WARN webhook: token ${P('github_token', V.githubToken())} found in commit ${N('hash', V.gitCommit())}`,
            () => `fetching https://${P('url_credentials', userinfo)}@registry.internal/v2/ failed: 401`,
            () => `session token=${P('jwt', V.jwt())}`,
        ])());
    }],
    [10, function misc() {
        const p = person();
        begin(T, 'pii');
        return finish(pick([
            () => `Please call me at ${P('phone', V.phone('US', { bare: true }))} after 5pm, thanks`,
            () => `${N('timestamp', logTs())} WARN healthcheck: GET http://${P('ipv4', V.ipv4(pick(['private', 'public'])))}:${pick([8080, 9100, 3000])}/status timed out`,
            () => `From: ${P('person_name', p.fullName)} <${P('email', p.email)}>`,
            () => `Reply-To: "${P('person_name', p.fullName)}" <${P('email', p.email)}>`,
            () => `<p>Questions? <a href="mailto:${P('email', p.email)}">Contact your account manager</a></p>`,
            () => `${N('timestamp', logTs())} ndp: neighbor ${P('ipv6', V.ipv6('linklocal'))}%eth0 reachable, lladdr ${P('mac_address', V.macAddress())}`,
            () => `${syslogTs()} web-${int(1, 9)} nginx: upstream timed out while reading response header from upstream, client: ${Pip(ip())}, server: api.example.com, request: "GET /v1/orders HTTP/1.1"`,
        ])());
    }],
    [3, function privateKeyText() {
        begin(T, 'pii');
        const k = V.privateKey().replace(/\n/g, '\\n');
        return finish(`${N('timestamp', logTs())} level=error msg="invalid key material" key="${P('private_key', k)}"`);
    }],
];

// ====================================================================== hard negatives

export const NEG_JSON = [
    [10, function orderStatus() {
        begin(J, 'negative');
        const doc = {
            order_id: N('order_id', V.orderId()), status: pick(['shipped', 'delivered', 'processing']), created_at: N('timestamp', isoNow()),
            total: N('price', V.price()), items: [{ sku: N('sku', V.sku()), quantity: int(1, 9) }],
            carrier: pick(['UPS', 'FedEx', 'USPS', 'DHL']), tracking_number: N('tracking_number', V.trackingNumber()),
            invoice: chance(0.5) ? N('invoice_number', V.invoiceNumber()) : undefined,
        };
        return finishJson(doc, jsonStyle());
    }],
    [8, function buildInfo() {
        begin(J, 'negative');
        const doc = {
            service: pick(['checkout', 'search', 'gateway', 'ledger']), version: chance(0.5) ? N('version', V.fourPartVersion()) : N('semver', V.semver()),
            commit: N('hash', V.gitCommit()), built_at: +N('epoch', V.epochSeconds()), runtime: pick(['go1.22.3', 'node v20.12.2', 'openjdk 21.0.3']),
            image: `registry.example.com/${pick(['checkout', 'search'])}@sha256:${N('hash', hex(64))}`,
        };
        return finishJson(doc, jsonStyle());
    }],
    [10, function metrics() {
        begin(J, 'negative');
        const doc = {
            ts: +N('epoch', V.epochMillis()), request_id: N('request_id', V.requestId()), route: apiPath(),
            status: +N('http_status', pick(['200', '201', '204', '301', '400', '404', '429', '500', '503'])), latency_ms: +N('latency', String(int(100, 99999))),
            bytes_out: int(10, 99), trace_id: N('hash', hex(32)),
        };
        return finishJson(doc, jsonStyle());
    }],
    [9, function reconciliation() {
        begin(J, 'negative');
        const doc = {
            event: 'reconciliation.mismatch', [pick(['reference', 'external_ref', 'ledger_ref', 'batch_ref'])]: N('checksum_fail', V.luhnFail16()),
            batch: N('uuid', V.uuid()), amount: N('price', V.price()), at: N('timestamp', isoNow()),
        };
        return finishJson(doc, jsonStyle());
    }],
    [7, function payoutRejected() {
        begin(J, 'negative');
        const doc = {
            type: 'payout.failed', failure_code: 'invalid_account_number', failure_message: `The account ${N('checksum_fail', V.ibanBad())} failed validation.`,
            payout: `po_${chars(20, ALNUM)}`, created: +N('epoch', V.epochSeconds()),
        };
        return finishJson(doc, jsonStyle());
    }],
    [6, function validationErrors() {
        begin(J, 'negative');
        const v = pick([() => V.ssnInvalid(), () => V.abaBad(), () => V.luhnFail16(), () => V.ibanBad()])();
        const doc = { error: { code: 'validation_failed', message: `value ${N('checksum_fail', v)} did not pass the check digit test`, field: pick(['reference', 'identifier', 'number']) }, request_id: N('request_id', V.requestId()) };
        return finishJson(doc, jsonStyle());
    }],
    [6, function catalog() {
        begin(J, 'negative');
        const doc = { id: N('sku', V.sku()), title: F.commerce.productName(), isbn: chance(0.5) ? N('isbn', V.isbn()) : undefined, price: N('price', V.price()), stock: int(0, 500), updated_at: N('timestamp', isoNow()) };
        return finishJson(doc, jsonStyle());
    }],
    [5, function store() {
        begin(J, 'negative');
        const doc = { store_id: `st_${int(100, 999)}`, location: N('coordinates', V.coordinates()), postal_code: N('zip_code', V.zipCode()), opens: '09:00', closes: '21:00' };
        return finishJson(doc, jsonStyle());
    }],
    [6, function maskedCard() {
        begin(J, 'negative');
        const doc = { payment_method: { id: `pm_${chars(24, ALNUM)}`, type: 'card', brand: pick(['visa', 'mastercard', 'amex']), display: N('masked_card', V.maskedCard()), exp: `${pad(int(1, 12), 2)}/${int(26, 32)}` }, order: N('order_id', V.orderId()) };
        return finishJson(doc, jsonStyle());
    }],
    [5, function attachment() {
        begin(J, 'negative');
        const doc = { attachment: { filename: pick(['receipt.pdf', 'logo.png', 'export.csv']), content_type: 'application/octet-stream', data: N('base64', V.base64Blob()) }, checksum: N('hash', hex(64)) };
        return finishJson(doc, jsonStyle());
    }],
    [5, function appVersion() {
        begin(J, 'negative');
        const doc = { platform: pick(['android', 'ios', 'web']), app_version: N('version', V.fourPartVersion()), os_version: N('semver', `${int(10, 17)}.${int(0, 6)}.${int(0, 3)}`), build: int(1000, 9999), ua: userAgent(true) };
        return finishJson(doc, jsonStyle());
    }],
];

export const NEG_FORM = [
    [8, function cartForm() {
        begin(FM, 'negative');
        return finish(formBody([['sku', formNeg('sku', V.sku())], ['qty', String(int(1, 9))], ['coupon', pick(['SPRING24', 'WELCOME10', 'FREESHIP'])], ['price', formNeg('price', V.price())]]));
    }],
    [6, function trackForm() {
        begin(FM, 'negative');
        return finish(formBody([['tracking_number', formNeg('tracking_number', V.trackingNumber())], ['carrier', pick(['ups', 'fedex', 'usps', 'dhl'])], ['lang', pick(['en', 'de', 'fr'])]]));
    }],
    [6, function orderForm() {
        begin(FM, 'negative');
        return finish(formBody([['order_id', formNeg('order_id', V.orderId())], ['invoice', formNeg('invoice_number', V.invoiceNumber())], ['action', 'resend']]));
    }],
    [6, function versionForm() {
        begin(FM, 'negative');
        return finish(formBody([['version', formNeg('version', V.fourPartVersion())], ['platform', pick(['android', 'windows'])], ['build', String(int(100, 9999))], ['channel', 'stable']]));
    }],
    [8, function refForm() {
        begin(FM, 'negative');
        const v = pick([() => V.luhnFail16(), () => V.ibanBad(), () => V.abaBad(), () => V.ssnInvalid()])();
        return finish(formBody([[pick(['ref', 'reference', 'external_id']), formNeg('checksum_fail', v)], ['note', formPlain('retry')]]));
    }],
    [5, function geoForm() {
        begin(FM, 'negative');
        const [lat, lon] = [(int(-70000, 70000) / 1000).toFixed(4), (int(-170000, 170000) / 1000).toFixed(4)];
        return finish(formBody([['lat', formNeg('coordinates', lat)], ['lng', formNeg('coordinates', lon)], ['radius', '5km'], ['zip', formNeg('zip_code', V.zipCode('US'))]]));
    }],
    [5, function rangeForm() {
        begin(FM, 'negative');
        return finish(formBody([['since', formNeg('epoch', V.epochSeconds())], ['until', formNeg('epoch', V.epochMillis())], ['request_id', formNeg('request_id', V.uuid())]]));
    }],
    [4, function bookForm() {
        begin(FM, 'negative');
        return finish(formBody([['isbn', formNeg('isbn', V.isbn())], ['format', pick(['paperback', 'ebook'])], ['qty', String(int(1, 3))]]));
    }],
];

export const NEG_TEXT = [
    [12, function httpLog() {
        begin(T, 'negative');
        return finish(`${N('timestamp', logTs())} INFO  http request_id=${N('request_id', V.requestId())} method=${pick(['GET', 'POST'])} path=/api/v2/orders/${N('order_id', V.orderId().replace('#', ''))} status=${N('http_status', pick(['200', '201', '404', '409', '500']))} duration_ms=${N('latency', String(int(100, 99999)))}`);
    }],
    [6, function deploy() {
        begin(T, 'negative');
        return finish(pick([
            () => `Deployed ${pick(['checkout', 'search', 'gateway'])} ${N('semver', V.semver())} (commit ${N('hash', V.gitCommit().slice(0, pick([7, 12, 40])))}) at ${N('timestamp', isoNow())}`,
            () => `Build #${int(100, 9999)} finished: version=${N('version', V.fourPartVersion())} sha256=${N('hash', hex(64))}`,
            () => `Merge pull request #${int(100, 9999)} from acme/feature-x ${N('hash', V.gitCommit())}`,
        ])());
    }],
    [8, function shipping() {
        begin(T, 'negative');
        return finish(pick([
            () => `Your order ${N('order_id', V.orderId())} has shipped via ${pick(['UPS', 'FedEx', 'USPS', 'DHL'])}, tracking number ${N('tracking_number', V.trackingNumber())}.`,
            () => `Ihre Sendung ${N('tracking_number', V.trackingNumber())} wird am ${pad(int(1, 28), 2)}.${pad(int(1, 12), 2)}. zugestellt.`,
            () => `Votre colis ${N('tracking_number', V.trackingNumber())} est en cours de livraison.`,
            () => `Shipment to ${N('zip_code', V.zipCode())} delayed; new ETA ${N('timestamp', isoNow())}`,
        ])());
    }],
    [6, function uaHeader() {
        begin(T, 'negative');
        return finish(`User-Agent: ${userAgent(true)}`);
    }],
    [18, function checksumText() {
        begin(T, 'negative');
        return finish(pick([
            () => `payment reference ${N('checksum_fail', V.luhnFail16())} not found in ledger`,
            () => `card ${N('checksum_fail', V.luhnFail16())} rejected by validator: failed Luhn check`,
            () => `IBAN ${N('checksum_fail', V.ibanBad())} rejected: invalid check digits`,
            () => `Überweisung abgelehnt: IBAN ${N('checksum_fail', V.ibanBad('DE'))} ist ungültig (Prüfziffer).`,
            () => `validation error: ${N('checksum_fail', V.ssnInvalid())} is not a valid SSN`,
            () => `ACH return R03 for routing ${N('checksum_fail', V.abaBad())}: checksum mismatch`,
            () => `test fixture: invalid SSN ${N('checksum_fail', V.ssnInvalid())} must be rejected`,
            () => `batch ${N('uuid', V.uuid())}: entry ${N('checksum_fail', V.luhnFail16())} skipped`,
            () => `${N('timestamp', logTs())} WARN import: row ${int(2, 9000)} number ${N('checksum_fail', V.luhnFail16())} looks truncated`,
            () => `ref ${N('checksum_fail', V.ibanBad())}`,
        ])());
    }],
    [6, function invoice() {
        begin(T, 'negative');
        return finish(pick([
            () => `Invoice ${N('invoice_number', V.invoiceNumber())} for ${N('price', V.price())} is due on ${N('timestamp', isoNow().slice(0, 10))}.`,
            () => `Rechnung ${N('invoice_number', V.invoiceNumber())} über ${N('price', V.price())} wurde bezahlt.`,
            () => `Book order: ISBN ${N('isbn', V.isbn())}, ${int(1, 3)} copies`,
        ])());
    }],
    [6, function cache() {
        begin(T, 'negative');
        return finish(pick([
            () => `cache set key=session:${N('hash', hex(32))} ttl=3600 expires_at=${N('epoch', V.epochSeconds())}`,
            () => `job ${N('uuid', V.uuid())} scheduled for ${N('epoch', V.epochMillis())}`,
            () => `sync cursor=${N('base64', V.base64Blob())} page=${int(2, 99)}`,
            () => `etag W/"${N('hash', hex(40))}" matched, 304`,
        ])());
    }],
    [5, function masked() {
        begin(T, 'negative');
        return finish(pick([
            () => `Charged ${N('price', V.price())} to card ${N('masked_card', V.maskedCard())}`,
            () => `Payment method updated: ${N('masked_card', V.maskedCard())} (visa)`,
            () => `Karte ${N('masked_card', V.maskedCard())} wurde belastet.`,
        ])());
    }],
    [4, function geo() {
        begin(T, 'negative');
        return finish(`store lookup near ${N('coordinates', V.coordinates())} returned ${int(1, 20)} results in ${N('latency', `${int(100, 999)}ms`)}`);
    }],
    [5, function assets() {
        begin(T, 'negative');
        const f = `${pick(['logo', 'hero', 'icon-cart', 'avatar-default', 'banner_spring'])}@${pick(['2x', '3x'])}.${pick(['png', 'webp', 'jpg'])}`;
        return finish(pick([
            () => `GET /static/img/${N('filename', f)} ${pick(['200', '304'])} ${(int(1, 900) / 10).toFixed(1)}ms`,
            () => `${N('timestamp', logTs())} WARN cdn: cache miss for /assets/${N('filename', f)} (${N('latency', `${int(100, 999)}ms`)})`,
        ])());
    }],
    [4, function sshFingerprint() {
        begin(T, 'negative');
        const fp = Array.from({ length: 16 }, () => hex(2)).join(':');
        return finish(pick([
            () => `${syslogTs()} bastion sshd[${int(1000, 65000)}]: Accepted key RSA fingerprint MD5:${N('hash', fp)} for deploy`,
            () => `The key fingerprint is ${N('hash', fp)} (MD5).`,
        ])());
    }],
    [4, function skuText() {
        begin(T, 'negative');
        return finish(`Restocked ${N('sku', V.sku())}: ${N('quantity', String(int(100, 5000)))} units at ${N('price', V.price())}`);
    }],
];

// ====================================================================== clean

export const CLEAN_JSON = [
    [10, function health() { begin(J, 'clean'); return finishJson({ status: 'ok', uptime_s: int(10, 9999999), version: V.semver(), checks: { db: 'ok', cache: pick(['ok', 'degraded']), queue: 'ok' } }, jsonStyle()); }],
    [8, function page() { begin(J, 'clean'); return finishJson({ data: [], page: int(1, 40), per_page: pick([20, 50, 100]), total: int(0, 5000), next: `/v1/orders?page=${int(2, 41)}&cursor=${hex(12)}` }, jsonStyle()); }],
    [6, function flag() { begin(J, 'clean'); return finishJson({ feature: pick(['new_checkout', 'dark_mode', 'beta_search', 'fast_export']), enabled: chance(0.5), rollout_percent: int(0, 100), updated_at: isoNow() }, jsonStyle()); }],
    [10, function job() { begin(J, 'clean'); return finishJson({ level: 'info', ts: isoNow(), msg: pick(['job finished', 'cache warmed', 'reindex complete', 'batch flushed']), job: pick(['reindex', 'digest', 'cleanup', 'export']), duration_ms: int(1, 99999), items: int(0, 50000), worker: `w-${int(1, 16)}` }, jsonStyle()); }],
    [6, function settings() { begin(J, 'clean'); return finishJson({ settings: { theme: pick(['dark', 'light']), language: pick(['en', 'de', 'fr', 'ja', 'pt-BR']), timezone: pick(['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC']), notifications: { email: chance(0.5), sms: chance(0.5), push: true } } }, jsonStyle()); }],
    [2, function product() { begin(J, 'clean'); return finishJson({ product: { id: `prod_${chars(14, ALNUM)}`, name: F.commerce.productName(), price: +(int(100, 99999) / 100).toFixed(2), currency: 'EUR', in_stock: chance(0.8) } }, jsonStyle()); }],
    [8, function cart() { begin(J, 'clean'); return finishJson({ cart_id: V.uuid(), items: [{ sku: V.sku(), qty: int(1, 4), title: F.commerce.productName() }], subtotal: V.price(), coupon: null }, jsonStyle()); }],
    [8, function event() { begin(J, 'clean'); return finishJson({ event: pick(['page_view', 'add_to_cart', 'checkout_started', 'search']), ts: +V.epochMillis(), session: hex(16), props: { path: pick(['/', '/pricing', '/docs', '/blog/release-notes']), referrer: pick(['direct', 'google', 'newsletter']) } }, jsonStyle()); }],
    [6, function chatMsg() { const lang = pick(Object.keys(CLEAN_MESSAGES)); begin(J, 'clean'); return finishJson({ conversation: V.uuid(), author: 'customer', text: pick(CLEAN_MESSAGES[lang])(), sent_at: isoNow() }, jsonStyle()); }],
    [5, function k8s() { begin(J, 'clean'); return finishJson({ kind: 'Event', reason: pick(['Scheduled', 'Pulled', 'Started', 'BackOff']), object: `pod/api-${hex(10)}-${chars(5, LOWER + DIGITS)}`, message: pick(['Successfully pulled image', 'Started container api', 'Back-off restarting failed container']), count: int(1, 40) }, jsonStyle()); }],
    [5, function weather() { begin(J, 'clean'); return finishJson({ city: pick(['Berlin', 'Paris', 'Madrid', 'Tokyo', 'São Paulo']), temp_c: int(-10, 38), condition: pick(['cloudy', 'sunny', 'rain']), wind_kmh: int(0, 80) }, jsonStyle()); }],
    [5, function emailMeta() { begin(J, 'clean'); return finishJson({ event: 'email.sent', template: pick(['welcome', 'receipt', 'password_reset']), email_verified: chance(0.5), phone_verified: chance(0.5), provider: pick(['ses', 'sendgrid', 'postmark']), message_id: hex(24) }, jsonStyle()); }],
    [4, function text() { begin(J, 'clean'); return finishJson({ note: F.hacker.phrase(), author_role: pick(['admin', 'agent']), created_at: isoNow() }, jsonStyle()); }],
];

export const CLEAN_FORM = [
    [8, function search() { begin(FM, 'clean'); return finish(formBody([['q', formPlain(F.commerce.productName().toLowerCase())], ['page', String(int(1, 20))], ['sort', pick(['price_asc', 'price_desc', 'relevance'])]])); }],
    [6, function prefs() { begin(FM, 'clean'); return finish(formBody([['theme', pick(['dark', 'light'])], ['lang', pick(['fr', 'de', 'en', 'ja'])], ['tz', formPlain(pick(['Europe/Paris', 'America/Chicago', 'Asia/Tokyo']))]])); }],
    [5, function oauthClient() { begin(FM, 'clean'); return finish(formBody([['grant_type', 'client_credentials'], ['scope', formPlain(pick(['read:orders', 'write:products read:orders', 'openid']))]])); }],
    [6, function utm() { begin(FM, 'clean'); return finish(formBody([['utm_source', pick(['newsletter', 'google', 'partner'])], ['utm_medium', pick(['email', 'cpc', 'social'])], ['utm_campaign', pick(['spring_sale', 'launch', 'black_friday'])]])); }],
    [5, function subscribe() { begin(FM, 'clean'); return finish(formBody([['action', pick(['subscribe', 'unsubscribe'])], ['list', pick(['weekly', 'product-updates'])], ['format', pick(['html', 'text'])]])); }],
    [5, function filters() { begin(FM, 'clean'); return finish(formBody([['category', pick(['shoes', 'books', 'garden'])], ['min_price', String(int(0, 50))], ['max_price', String(int(60, 500))], ['in_stock', 'true'], ['color', pick(['red', 'blue', 'black'])]])); }],
    [4, function feedback() { const lang = pick(Object.keys(CLEAN_MESSAGES)); begin(FM, 'clean'); return finish(formBody([['rating', String(int(1, 5))], ['comment', formPlain(pick(CLEAN_MESSAGES[lang])())]])); }],
];

export const CLEAN_TEXT = [
    [12, function appLog() { begin(T, 'clean'); return finish(`${logTs()} ${pick(['INFO ', 'DEBUG', 'WARN '])} ${pick(['worker', 'scheduler', 'indexer'])}-${int(1, 8)} job=${pick(['reindex', 'digest', 'cleanup'])} items=${int(0, 9000)} duration_ms=${int(1, 9999)} status=${pick(['ok', 'retry', 'done'])}`); }],
    [6, function laravel() { begin(T, 'clean'); return finish(`[${int(2024, 2026)}-${pad(int(1, 12), 2)}-${pad(int(1, 28), 2)} ${pad(int(0, 23), 2)}:${pad(int(0, 59), 2)}:${pad(int(0, 59), 2)}] production.${pick(['INFO', 'WARNING'])}: ${pick(['Cache cleared', 'Queue worker restarted', 'Scheduled command finished'])} {"tags":["${pick(['products', 'orders', 'reports'])}"]}`); }],
    [6, function k8sEvent() { begin(T, 'clean'); return finish(`${pick(['Normal', 'Warning'])}  ${pick(['Scheduled', 'Pulled', 'BackOff', 'Killing'])}  pod/api-${hex(10)}-${chars(5, LOWER + DIGITS)}  ${pick(['Successfully assigned default/api to node-3', 'Container image already present on machine', 'Back-off restarting failed container', 'Stopping container api'])}`); }],
    [20, function supportClean() { const lang = pick(Object.keys(CLEAN_MESSAGES)); begin(T, 'clean'); return finish(pick(CLEAN_MESSAGES[lang])()); }],
    [6, function build() { begin(T, 'clean'); return finish(pick([`Step ${int(1, 9)}/${int(10, 14)} : RUN npm ci --omit=dev`, `added ${int(100, 900)} packages in ${int(2, 40)}s`, `PASS src/cart.test.ts (${(int(10, 900) / 100).toFixed(2)} s)`, `Compiling veil v0.${int(1, 9)}.0`, `=== RUN   TestCheckout/${pick(['empty_cart', 'coupon', 'tax'])}`, `ok  \tgithub.com/acme/ledger\t${(int(10, 900) / 100).toFixed(3)}s`])); }],
    [6, function access() { begin(T, 'clean'); return finish(`${pick(['GET', 'POST'])} ${pick(['/healthz', '/metrics', '/api/v1/products', '/static/main.css'])} ${pick(['200', '204', '304'])} ${(int(1, 9000) / 10).toFixed(1)}ms`); }],
    [5, function cron() { begin(T, 'clean'); return finish(`${syslogTs()} web-${int(1, 9)} CRON[${int(1000, 60000)}]: (root) CMD (/usr/local/bin/backup --incremental --keep ${int(3, 30)})`); }],
    [4, function prose() { begin(T, 'clean'); return finish(pick([`Release notes: improved search ranking and fixed ${int(2, 30)} bugs.`, `Reminder: the maintenance window starts Saturday at ${int(1, 5)} AM UTC.`, `Q${int(1, 4)} revenue grew ${int(2, 40)}% over the previous quarter.`, F.hacker.phrase()])); }],
];
