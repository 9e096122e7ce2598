// JSON API bodies and GraphQL request bodies, one document per line.
import * as id from './ids.mjs';
import * as net from './net.mjs';
import * as sec from './secrets.mjs';
import * as N from './negatives.mjs';
import * as V from './values.mjs';
import { person as newPerson, isoDate } from './people.mjs';
import { J, pii, neg, nameKey, jsonPieces, plainText } from './seg.mjs';
import { supportMessage } from './support.mjs';
import { SLOTS } from './slots.mjs';

const S = J.str;

// Key naming conventions, and field names in the customer's language.
export function keyStyle(r) {
  return r.weighted([[5, 'snake'], [4, 'camel'], [1, 'pascal'], [0.5, 'kebab']]);
}

const LOCAL_KEYS = {
  de: { first_name: 'vorname', last_name: 'nachname', date_of_birth: 'geburtsdatum', phone: 'telefon', street: 'strasse', postal_code: 'plz', city: 'ort', email: 'email', address: 'anschrift', name: 'name' },
  fr: { first_name: 'prenom', last_name: 'nom', date_of_birth: 'date_naissance', phone: 'telephone', street: 'adresse', postal_code: 'code_postal', city: 'ville', email: 'courriel', address: 'adresse_postale', name: 'nom_complet' },
  es: { first_name: 'nombre', last_name: 'apellidos', date_of_birth: 'fecha_nacimiento', phone: 'telefono', street: 'direccion', postal_code: 'codigo_postal', city: 'ciudad', email: 'correo', address: 'domicilio', name: 'nombre_completo' },
  it: { first_name: 'nome', last_name: 'cognome', date_of_birth: 'data_nascita', phone: 'telefono', street: 'via', postal_code: 'cap', city: 'citta', email: 'email', address: 'indirizzo', name: 'nominativo' },
  nl: { first_name: 'voornaam', last_name: 'achternaam', date_of_birth: 'geboortedatum', phone: 'telefoonnummer', street: 'straat', postal_code: 'postcode', city: 'woonplaats', email: 'email', address: 'adres', name: 'naam' },
  pt: { first_name: 'nome', last_name: 'sobrenome', date_of_birth: 'data_nascimento', phone: 'telefone', street: 'endereco', postal_code: 'cep', city: 'cidade', email: 'email', address: 'morada', name: 'nome_completo' },
};

export function keyer(r, style, lang) {
  const local = LOCAL_KEYS[lang] && r.chance(0.25) ? LOCAL_KEYS[lang] : null;
  return (snake) => {
    const base = (local && local[snake]) || snake;
    if (style === 'snake') return base;
    const parts = base.split('_');
    if (style === 'kebab') return parts.join('-');
    const camel = parts.map((p, i) => (i === 0 && style === 'camel' ? p : p[0].toUpperCase() + p.slice(1))).join('');
    return camel;
  };
}

function maybeNumber(r, type, digitsText, p = 0.12) {
  if (/^\d+$/.test(digitsText) && digitsText[0] !== '0' && r.chance(p)) return J.raw(pii(type, digitsText));
  return S(pii(type, digitsText));
}

const priceRaw = (r) => J.raw(neg('price', N.priceNumber(r)));

function addressObject(r, k, ctx) {
  const a = V.addressFor(r, ctx.locKey);
  if (r.chance(0.35)) return S(pii('address', a.line));
  return J.obj([
    [k('street'), S(pii('address', a.street))],
    [k('postal_code'), a.postcode],
    [k('city'), a.city],
    [k('country'), a.country],
  ]);
}

function nameFields(r, k, p) {
  if (r.chance(0.5)) return [[k('first_name'), S(nameKey(p.first))], [k('last_name'), S(nameKey(p.last))]];
  return [[k(r.pick(['name', 'full_name', 'display_name', 'customer_name'])), S(nameKey(p.full))]];
}

function nationalId(r, ctx) {
  const opts = V.NATIONAL_BY_LOC[ctx.locKey];
  if (!opts || !opts.length) return null;
  const t = r.weighted(opts);
  return { type: t, text: V.NATIONAL[t](r, ctx.person) };
}

const NATID_KEYS = {
  us_ssn: ['ssn', 'social_security_number', 'tax_id', 'ssn_last9'], us_itin: ['itin', 'tax_id'], uk_nino: ['ni_number', 'nino', 'national_insurance_number'],
  uk_nhs: ['nhs_number', 'patient_id'], es_dni: ['dni', 'nif', 'documento'], es_nie: ['nie', 'nif', 'documento'], it_fiscal_code: ['codice_fiscale', 'cf', 'tax_code'],
  fr_nir: ['nir', 'numero_securite_sociale', 'insee'], nl_bsn: ['bsn', 'burgerservicenummer'], br_cpf: ['cpf', 'documento'],
  in_aadhaar: ['aadhaar', 'uid'], cn_resident_id: ['id_card', 'shenfenzheng'], ca_sin: ['sin', 'social_insurance_number'],
};

// ---- schemas -----------------------------------------------------------------

const SCHEMAS = {
  profile(r, ctx, k) {
    const p = ctx.person;
    return J.obj([
      [k('id'), r.chance(0.5) ? r.int(1000, 999999) : `usr_${r.alnum(14)}`],
      ...nameFields(r, k, p),
      [k('email'), S(pii('email', V.emailFor(r, ctx.lang, p)))],
      r.chance(0.7) ? [k('phone'), maybeNumber(r, 'phone', V.phoneFor(r, ctx.lang, ctx.loc.phone))] : null,
      r.chance(0.4) ? [k('date_of_birth'), S(pii('date_of_birth', r.chance(0.6) ? isoDate(p.dob) : V.dobText(ctx)))] : null,
      r.chance(0.5) ? [k('address'), addressObject(r, k, ctx)] : null,
      [k('created_at'), S(neg('timestamp', N.timestamp(r)))],
      r.chance(0.4) ? [k('locale'), r.pick(['en-US', 'de-DE', 'fr-FR', 'es-ES', 'it-IT', 'nl-NL', 'pt-BR', 'ja-JP'])] : null,
    ]);
  },
  checkout(r, ctx, k) {
    const p = ctx.person;
    const card = id.cardNumber(r);
    const items = [];
    for (let i = 0, n = r.weighted([[3, 1], [2, 2]]); i < n; i++) {
      items.push(J.obj([[k('sku'), S(neg('sku', N.sku(r)))], [k('name'), S(neg('product_name', N.productName(r, ctx.loc.faker)))], [k('quantity'), r.int(1, 4)], [k('unit_price'), priceRaw(r)]]));
    }
    const cardObj = r.chance(0.7)
      ? J.obj([[k('number'), r.chance(0.85) ? S(pii('credit_card', V.cardText(r, ctx.lang, card.number))) : J.raw(pii('credit_card', card.number))], [k('holder'), S(nameKey(p.full))], [k('exp_month'), r.int(1, 12)], [k('exp_year'), r.int(2025, 2031)]])
      : J.obj([[k('brand'), card.brand], [k('last4'), S(neg('masked_card', card.number.slice(-4)))], [k('display'), S(neg('masked_card', N.maskedCard(r)))]]);
    return J.obj([
      [k('order_id'), S(neg('order_id', N.orderId(r)))],
      [k('currency'), r.pick(['EUR', 'USD', 'GBP', 'JPY', 'BRL'])],
      [k('total'), priceRaw(r)],
      [k('customer'), J.obj([[k('name'), S(nameKey(p.full))], [k('email'), S(pii('email', V.emailFor(r, ctx.lang, p)))]])],
      [k('payment'), J.obj([[k('method'), 'card'], [k('card'), cardObj]])],
      r.chance(0.5) ? [k('shipping_address'), addressObject(r, k, ctx)] : null,
      [k('items'), J.arr(items)],
    ]);
  },
  payout(r, ctx, k) {
    const p = ctx.person;
    const us = ctx.locKey === 'en_US' && r.chance(0.7);
    return J.obj([
      [k('payout_id'), `po_${r.alnum(16)}`],
      [k('beneficiary'), J.obj([
        ...nameFields(r, k, p),
        us ? [k('routing_number'), maybeNumber(r, 'us_bank_routing', id.abaRouting(r))] : [k('iban'), S(pii('iban', V.ibanText(r, ctx.lang)))],
        us ? null : [k('bic'), r.pick(['DEUTDEFF', 'COBADEFFXXX', 'BNPAFRPP', 'INGBNL2A', 'BSCHESMM', 'UNCRITMM', 'NWBKGB2L', 'CGDIPTPL'])],
      ])],
      [k('amount'), priceRaw(r)],
      [k('reference'), S(neg('order_id', N.orderId(r)))],
      [k('requested_at'), S(neg('timestamp', N.timestamp(r)))],
    ]);
  },
  kyc(r, ctx, k) {
    const p = ctx.person;
    const nid = nationalId(r, ctx);
    const nidT = nid || { type: r.pick(['in_aadhaar', 'cn_resident_id', 'ca_sin']), text: null };
    const text = nid ? nid.text : V.NATIONAL[nidT.type](r, p);
    const key = r.chance(0.6) ? r.pick(NATID_KEYS[nidT.type]) : r.pick(['document_number', 'id_number', 'value']);
    return J.obj([
      [k('applicant'), J.obj([
        ...nameFields(r, k, p),
        [k('date_of_birth'), S(pii('date_of_birth', r.chance(0.5) ? isoDate(p.dob) : V.dobText(ctx)))],
        [k('nationality'), ctx.loc.country],
        [k('document'), J.obj([[k('type'), r.pick(['national_id', 'tax_id', 'passport'])], [k(key), maybeNumber(r, nidT.type, text)]])],
        r.chance(0.6) ? [k('address'), addressObject(r, k, ctx)] : null,
      ])],
      [k('check_id'), S(neg('uuid', N.uuid(r)))],
      [k('submitted_at'), S(neg('timestamp', N.timestamp(r)))],
    ]);
  },
  ticket(r, ctx, k) {
    const p = ctx.person;
    return J.obj([
      [k('ticket'), J.obj([
        [k('id'), r.int(10000, 999999)],
        [k('subject'), r.pick(['Refund', 'Login problem', 'Wrong charge', 'Address change', 'Question', 'Delivery', 'Account locked'])],
        [k(r.pick(['description', 'body', 'message', 'comment'])), S(supportMessage(ctx, { oneLine: false }))],
        [k('requester'), J.obj([[k('name'), S(nameKey(p.full))], [k('email'), S(pii('email', V.emailFor(r, ctx.lang, p)))]])],
        [k('tags'), J.arr(r.shuffle(['billing', 'urgent', 'vip', 'mobile', 'web']).slice(0, r.int(0, 3)))],
      ])],
      [k('created_at'), S(neg('timestamp', N.timestamp(r)))],
    ]);
  },
  webhook(r, ctx, k) {
    const p = ctx.person;
    const a = V.addressFor(r, ctx.locKey);
    return J.obj([
      ['id', `evt_${r.alnum(24)}`],
      ['object', 'event'],
      ['type', r.pick(['charge.succeeded', 'customer.updated', 'invoice.paid', 'payment_intent.created'])],
      ['created', J.raw(neg('epoch_s', N.epochSeconds(r)))],
      ['data', J.obj([['object', J.obj([
        ['id', `ch_${r.alnum(24)}`],
        ['amount', r.int(100, 99999)],
        ['currency', r.pick(['eur', 'usd', 'gbp'])],
        ['billing_details', J.obj([
          ['name', S(nameKey(p.full))],
          ['email', S(pii('email', V.emailFor(r, ctx.lang, p)))],
          ['phone', r.chance(0.6) ? S(pii('phone', V.phoneFor(r, ctx.lang, ctx.loc.phone))) : null],
          ['address', J.obj([['line1', S(pii('address', a.street))], ['city', a.city], ['postal_code', a.postcode], ['country', a.country]])],
        ])],
        ['payment_method_details', J.obj([['card', J.obj([['brand', r.pick(['visa', 'mastercard', 'amex'])], ['last4', S(neg('masked_card', r.digits(4)))], ['exp_month', r.int(1, 12)], ['exp_year', r.int(2025, 2031)]])]])],
      ])]])],
    ]);
  },
  device(r, ctx, k) {
    return J.obj([
      [k('device_id'), S(neg('uuid', N.uuid(r)))],
      [k('mac'), S(pii('mac_address', net.mac(r)))],
      [k('ip'), S(pii('ipv4', net.ipv4(r)))],
      r.chance(0.6) ? [k('ipv6'), S(pii('ipv6', net.ipv6(r)))] : null,
      r.chance(0.4) ? [k('listen'), S(r.chance(0.6) ? SLOTS.ipport(ctx) : SLOTS.ip6port(ctx))] : null,
      r.chance(0.3) ? [k('subnet'), S(r.chance(0.6) ? SLOTS.ipcidr(ctx) : SLOTS.ip6cidr(ctx))] : null,
      r.chance(0.3) ? [k('link_local'), S(SLOTS.ip6zone(ctx))] : null,
      [k('os_version'), S(neg('ipv4_like_version', N.ipv4LikeVersion(r)))],
      [k('agent_version'), S(neg('version', N.version(r)))],
      [k('last_seen'), S(neg('timestamp', N.timestamp(r)))],
    ]);
  },
  auth(r, ctx, k) {
    const t = sec.jwt(r);
    return r.chance(0.6)
      ? J.obj([[k('access_token'), S(pii('jwt', t))], [k('token_type'), 'Bearer'], [k('expires_in'), r.pick([900, 3600, 86400])], r.chance(0.4) ? [k('id_token'), S(pii('jwt', sec.jwt(r)))] : null, [k('scope'), 'openid profile']])
      : J.obj([[k('request'), J.obj([[k('method'), 'GET'], [k('url'), `/api/v2/orders/${r.int(1000, 99999)}`], [k('headers'), J.obj([['Authorization', S(['Bearer ', pii('jwt', t)])], ['X-Request-Id', S(neg('uuid', N.uuid(r)))], ['User-Agent', S(['Mozilla/5.0 (Windows NT 10.0; Win64; x64) ', neg('version', `Chrome/${r.int(100, 131)}.0.0.0`)])]])]])], [k('status'), r.pick([200, 401, 403])]]);
  },
  config(r, ctx, k) {
    const entries = [];
    const used = new Set();
    for (let i = 0, n = r.int(1, 3); i < n; i++) {
      const c = V.credential(r);
      const key = r.pick(V.CREDENTIAL_KEYS[c.type]);
      if (used.has(key)) continue;
      used.add(key);
      entries.push([key, S(pii(c.type, c.value))]);
    }
    const u = net.urlWithCredentials(r, { user: r.pick(['admin', 'app', 'svc_billing', 'postgres']), password: r.alnum(r.int(12, 24)) });
    return J.obj([
      [k('service'), S(neg('product_name', r.pick(N.SERVICES)))],
      [k('env'), r.pick(['prod', 'staging', 'dev'])],
      [k('credentials'), J.obj(entries)],
      r.chance(0.6) ? [k('database_url'), S([u.prefix, pii('url_credentials', u.userinfo), u.suffix])] : null,
      r.chance(0.12) ? [k('tls_key'), S(pii('private_key', sec.privateKeyPem(r).lines.join('\n')))] : null,
      r.chance(0.3) ? [k('slack_webhook'), S(['https://hooks.slack.com/services/', pii('slack_webhook', sec.slackWebhookPath(r))])] : null,
      [k('build'), S(neg('git_sha', N.gitSha(r)))],
    ]);
  },
  contacts(r, ctx, k) {
    const list = [];
    for (let i = 0, n = r.int(1, 3); i < n; i++) {
      const p = i === 0 ? ctx.person : newPerson(r, ctx.loc);
      list.push(J.obj([[k('name'), S(nameKey(p.full))], r.chance(0.8) ? [k('email'), S(pii('email', V.emailFor(r, ctx.lang, p)))] : null, r.chance(0.7) ? [k('phone'), S(pii('phone', V.phoneFor(r, ctx.lang, r.chance(0.8) ? ctx.loc.phone : null)))] : null]));
    }
    return J.obj([[k('contacts'), J.arr(list)], [k('page'), r.int(1, 9)], [k('total'), r.int(10, 500)]]);
  },
  order(r, ctx, k) {
    const items = [];
    for (let i = 0, n = r.int(1, 3); i < n; i++) {
      items.push(J.obj([[k('sku'), S(neg('sku', N.sku(r)))], [k('name'), S(neg('product_name', N.productName(r, ctx.loc.faker)))], [k('price'), r.chance(0.5) ? priceRaw(r) : S(neg('price', N.price(r)))], r.chance(0.3) ? [k('isbn'), S(neg('isbn', N.isbn(r)))] : null]));
    }
    const withCustomer = r.chance(0.4);
    return J.obj([
      [k('order'), J.obj([
        [k('id'), S(neg('order_id', N.orderId(r)))],
        [k('status'), r.pick(['shipped', 'processing', 'delivered', 'cancelled'])],
        [k('placed_at'), S(neg('timestamp', N.timestamp(r)))],
        [k('items'), J.arr(items)],
        [k('shipment'), J.obj([[k('carrier'), r.pick(['UPS', 'DHL', 'PostNL', 'La Poste', 'Correos', 'Yamato'])], [k('tracking_number'), S(neg('tracking_number', N.tracking(r)))]])],
        [k('total'), priceRaw(r)],
      ])],
      withCustomer ? [k('customer'), J.obj([[k('name'), S(nameKey(ctx.person.full))], [k('email'), S(pii('email', V.emailFor(r, ctx.lang, ctx.person)))]])] : [k('customer_id'), r.int(1000, 999999)],
    ]);
  },
  search(r, ctx, k) {
    const q = r.weighted([
      [2, () => pii('person_name', ctx.person.full)],
      [1, () => pii('email', V.emailFor(r, ctx.lang, ctx.person))],
      [1, () => pii('phone', V.phoneFor(r, ctx.lang, ctx.loc.phone))],
      [2, () => supportMessage(ctx, { oneLine: true, piiCount: 1, negCount: 0 })],
    ])();
    return J.obj([[k('event'), 'search'], [k('query'), S(q)], [k('search_id'), S(neg('uuid', N.uuid(r)))], [k('ts'), J.raw(neg('epoch_ms', N.epochMillis(r)))], [k('client_ip'), S(pii('ipv4', net.ipv4(r)))]]);
  },
  logEvent(r, ctx, k) {
    return J.obj([
      ['level', r.pick(['info', 'warn', 'error'])],
      ['time', S(neg('timestamp', N.timestamp(r)))],
      ['msg', r.pick(['login failed', 'password reset requested', 'payment declined', 'profile updated', 'session started'])],
      [r.pick(['user', 'user_email', 'actor']), S(pii('email', V.emailFor(r, ctx.lang, ctx.person)))],
      [r.pick(['remote_addr', 'client_ip', 'ip']), S(r.chance(0.7) ? pii('ipv4', net.ipv4(r)) : pii('ipv6', net.ipv6(r)))],
      ['request_id', S(neg('trace_id', N.traceId(r)))],
      ['duration_ms', r.int(1, 3000)],
    ]);
  },
  employee(r, ctx, k) {
    const p = ctx.person;
    const nid = nationalId(r, ctx);
    return J.obj([[k('employee'), J.obj([
      [k('employee_id'), `E${r.digits(6)}`],
      ...nameFields(r, k, p),
      nid ? [k(r.pick(NATID_KEYS[nid.type])), maybeNumber(r, nid.type, nid.text)] : null,
      [k('iban'), S(pii('iban', V.ibanText(r, ctx.lang)))],
      [k('salary'), r.int(28000, 140000)],
      [k('start_date'), S(neg('date_other', N.otherDate(r, 'en').replace(/^(\d\d)\/(\d\d)\/(\d{4})$/, '$3-$1-$2')))],
      [k('date_of_birth'), S(pii('date_of_birth', isoDate(p.dob)))],
      r.chance(0.5) ? [k('home_address'), addressObject(r, k, ctx)] : null,
    ])]]);
  },
  formAnswers(r, ctx, k) {
    const p = ctx.person;
    const lab = {
      en: ['Full name', 'Phone number', 'Email', 'Anything else?', 'Date of birth'], de: ['Name', 'Telefonnummer', 'E-Mail', 'Anmerkungen', 'Geburtsdatum'],
      fr: ['Nom complet', 'Téléphone', 'E-mail', 'Commentaires', 'Date de naissance'], es: ['Nombre completo', 'Teléfono', 'Correo', 'Comentarios', 'Fecha de nacimiento'],
      it: ['Nome e cognome', 'Telefono', 'Email', 'Note', 'Data di nascita'], nl: ['Volledige naam', 'Telefoonnummer', 'E-mail', 'Opmerkingen', 'Geboortedatum'],
      pt: ['Nome completo', 'Telefone', 'E-mail', 'Observações', 'Data de nascimento'], ja: ['氏名', '電話番号', 'メール', 'ご意見', '生年月日'],
    }[ctx.lang];
    const answers = [
      J.obj([['question', lab[0]], ['answer', S(pii('person_name', p.full))]]),
      J.obj([['question', lab[1]], ['answer', S(pii('phone', V.phoneFor(r, ctx.lang, ctx.loc.phone)))]]),
      r.chance(0.7) ? J.obj([['question', lab[2]], ['answer', S(pii('email', V.emailFor(r, ctx.lang, p)))]]) : null,
      r.chance(0.3) ? J.obj([['question', lab[4]], ['answer', S(pii('date_of_birth', V.dobText(ctx)))]]) : null,
      r.chance(0.5) ? J.obj([['question', lab[3]], ['answer', S(supportMessage(ctx, { oneLine: true, piiCount: r.int(0, 1), negCount: r.int(0, 1) }))]]) : null,
    ].filter(Boolean);
    return J.obj([[k('form_id'), `f_${r.alnum(8)}`], [k('answers'), J.arr(answers)], [k('submitted'), J.raw(neg('epoch_s', N.epochSeconds(r)))]]);
  },
  notes(r, ctx, k) {
    return J.obj([[k('note_id'), r.int(1, 99999)], [k('author_id'), r.int(1, 999)], [k(r.pick(['text', 'note', 'content', 'value', 'data'])), S(supportMessage(ctx, { oneLine: r.chance(0.5) }))], [k('visibility'), r.pick(['internal', 'public'])]]);
  },
};

// PII-free bodies (they may hold hard negatives).
const CLEAN = {
  catalog(r, ctx, k) {
    const items = [];
    for (let i = 0, n = r.int(1, 4); i < n; i++) items.push(J.obj([[k('id'), r.int(1, 99999)], [k('sku'), S(neg('sku', N.sku(r)))], [k('name'), S(neg('product_name', N.productName(r, ctx.loc.faker)))], [k('price'), priceRaw(r)], [k('in_stock'), r.chance(0.8)]]));
    return J.obj([[k('items'), J.arr(items)], [k('page'), r.int(1, 20)], [k('next_cursor'), r.chance(0.5) ? r.b64url(24) : null]]);
  },
  health(r, ctx, k) {
    return J.obj([[k('status'), r.pick(['ok', 'degraded'])], [k('version'), S(neg('version', N.version(r)))], [k('commit'), S(neg('git_sha', N.gitSha(r)))], [k('uptime_s'), r.int(10, 9999999)], [k('checked_at'), S(neg('timestamp', N.timestamp(r)))]]);
  },
  metrics(r, ctx, k) {
    return J.obj([[k('requests'), r.int(0, 99999999)], [k('p99_ms'), r.int(1, 2000)], [k('errors'), r.int(0, 999)], [k('window_start'), J.raw(neg('epoch_s', N.epochSeconds(r)))], [k('window_end'), J.raw(neg('epoch_ms', N.epochMillis(r)))], [k('host'), r.pick(N.SERVICES)]]);
  },
  flags(r, ctx, k) {
    return J.obj([[k('flags'), J.obj([['new_checkout', r.chance(0.5)], ['dark_mode', r.chance(0.5)], ['rollout_pct', r.int(0, 100)]])], [k('plan'), J.obj([[k('name'), S(neg('product_name', r.pick(N.PLANS)))], [k('seats'), r.int(1, 500)]])], [k('etag'), S(neg('hash', r.hex(32)))]]);
  },
  orderNoCustomer(r, ctx, k) {
    return J.obj([[k('order_id'), S(neg('order_id', N.orderId(r)))], [k('status'), 'shipped'], [k('tracking'), S(neg('tracking_number', N.tracking(r)))], [k('card'), S(neg('masked_card', N.maskedCard(r)))], [k('email'), S(neg('redacted', r.pick(N.REDACTED)))], [k('total'), S(neg('price', N.price(r)))], [k('request_id'), S(neg('uuid', N.uuid(r)))]]);
  },
  redactedUser(r, ctx, k) {
    return J.obj([[k('user_id'), r.int(1, 999999)], [k('password'), S(neg('redacted', r.pick(N.REDACTED)))], [k('ssn'), S(neg('redacted', r.pick(['***-**-****', '[REDACTED]', '[FILTERED]'])))], [k('card_number'), S(neg('masked_card', N.maskedCard(r)))], [k('api_key'), S(neg('redacted', r.pick(N.REDACTED)))], [k('updated_at'), S(neg('timestamp', N.timestamp(r)))]]);
  },
  numbers(r, ctx, k) {
    return J.obj([[k('reference'), S(neg('card_luhn_fail', N.luhnFailCard(r)))], [k('mandate_ref'), S(neg('iban_bad_check', N.badIban(r)))], [k('legacy_code'), S(neg('ssn_invalid', N.invalidSsn(r)))], [k('dimensions'), S(neg('math_measure', N.mathOrMeasure(r)))], [k('firmware'), S(neg('ipv4_like_version', N.ipv4LikeVersion(r)))], [k('checksum'), S(neg('hash', N.hash(r)))]]);
  },
  ticketClean(r, ctx, k) {
    return J.obj([[k('ticket_id'), r.int(1000, 999999)], [k('body'), S(supportMessage(ctx, { clean: true }))], [k('created'), S(neg('timestamp', N.timestamp(r)))]]);
  },
};

const SCHEMA_WEIGHTS = [
  [10, 'profile'], [9, 'checkout'], [6, 'payout'], [7, 'kyc'], [6, 'ticket'], [4, 'webhook'], [5, 'device'], [4, 'auth'], [5, 'config'],
  [5, 'contacts'], [5, 'order'], [4, 'search'], [5, 'logEvent'], [4, 'employee'], [4, 'formAnswers'], [4, 'notes'],
];
const CLEAN_WEIGHTS = [[3, 'catalog'], [2, 'health'], [2, 'metrics'], [2, 'flags'], [2, 'orderNoCustomer'], [2, 'redactedUser'], [3, 'numbers'], [2, 'ticketClean']];

export function jsonStyle(r) {
  return { ascii: r.chance(0.15), slash: r.chance(0.05), space: r.chance(0.15) };
}

export function jsonRecord(r, ctx, clean) {
  const style = jsonStyle(r);
  const k = keyer(r, keyStyle(r), ctx.lang);
  const name = r.weighted(clean ? CLEAN_WEIGHTS : SCHEMA_WEIGHTS);
  const v = (clean ? CLEAN : SCHEMAS)[name](r, ctx, k);
  return { kind: `json.${name}`, pieces: jsonPieces(v, style) };
}

// ---- GraphQL -----------------------------------------------------------------

export function graphqlRecord(r, ctx, clean) {
  const style = jsonStyle(r);
  const p = ctx.person;
  if (clean) {
    const v = r.weighted([
      [2, () => J.obj([['query', 'query Products($first: Int, $after: String) { products(first: $first, after: $after) { edges { node { id name price } } } }'], ['variables', J.obj([['first', r.int(5, 50)], ['after', r.chance(0.5) ? r.b64url(16) : null]])]])],
      [1, () => J.obj([['operationName', 'Order'], ['query', 'query Order($id: ID!) { order(id: $id) { status total trackingNumber } }'], ['variables', J.obj([['id', S(neg('order_id', N.orderId(r)))]])]])],
      [1, () => J.obj([['query', S(['mutation { addToCart(sku: "', neg('sku', N.sku(r)), '", qty: ', String(r.int(1, 5)), ') { cart { id total } } }'])]])],
    ])();
    return { kind: 'graphql.clean', pieces: jsonPieces(v, style) };
  }
  const which = r.weighted([[4, 'updateProfile'], [2, 'inlineLookup'], [2, 'createTicket'], [2, 'addPayment'], [1, 'search']]);
  let v;
  if (which === 'updateProfile') {
    v = J.obj([
      ['operationName', 'UpdateProfile'],
      ['query', 'mutation UpdateProfile($input: ProfileInput!) { updateProfile(input: $input) { id updatedAt } }'],
      ['variables', J.obj([['input', J.obj([
        ['firstName', S(nameKey(p.first))], ['lastName', S(nameKey(p.last))],
        ['email', S(pii('email', V.emailFor(r, ctx.lang, p)))],
        r.chance(0.7) ? ['phone', S(pii('phone', V.phoneFor(r, ctx.lang, ctx.loc.phone)))] : null,
        r.chance(0.3) ? ['birthDate', S(pii('date_of_birth', isoDate(p.dob)))] : null,
        r.chance(0.3) ? ['address', S(pii('address', V.addressFor(r, ctx.locKey).line))] : null,
      ])]])],
    ]);
  } else if (which === 'inlineLookup') {
    const arg = r.weighted([[3, () => ['email', pii('email', V.emailFor(r, ctx.lang, p))]], [2, () => ['phone', pii('phone', V.phoneFor(r, ctx.lang, ctx.loc.phone))]], [1, () => ['ip', pii('ipv4', net.ipv4(r))]]])();
    v = J.obj([['query', S(['query { customer(', arg[0], ': "', arg[1], '") { id name orders(first: 5) { id total } } }'])]]);
  } else if (which === 'createTicket') {
    v = J.obj([
      ['operationName', 'CreateTicket'],
      ['query', 'mutation CreateTicket($subject: String!, $body: String!) { createTicket(subject: $subject, body: $body) { id } }'],
      ['variables', J.obj([['subject', r.pick(['Refund', 'Help', 'Billing'])], ['body', S(supportMessage(ctx, { oneLine: r.chance(0.5) }))]])],
    ]);
  } else if (which === 'addPayment') {
    const useIban = r.chance(0.4);
    v = J.obj([
      ['query', 'mutation AddPaymentMethod($pm: PaymentMethodInput!) { addPaymentMethod(input: $pm) { id last4 } }'],
      ['variables', J.obj([['pm', J.obj([
        ['holderName', S(nameKey(p.full))],
        useIban ? ['iban', S(pii('iban', V.ibanText(r, ctx.lang)))] : ['cardNumber', S(pii('credit_card', V.cardText(r, ctx.lang)))],
        useIban ? null : ['expiry', `${String(r.int(1, 12)).padStart(2, '0')}/${r.int(25, 31)}`],
      ])]])],
    ]);
  } else {
    v = J.obj([['query', 'query Search($q: String!) { search(q: $q) { id title } }'], ['variables', J.obj([['q', S(r.chance(0.5) ? pii('person_name', p.full) : pii('email', V.emailFor(r, ctx.lang, p)))]])]]);
  }
  return { kind: `graphql.${which}`, pieces: jsonPieces(v, style) };
}

export { plainText };
