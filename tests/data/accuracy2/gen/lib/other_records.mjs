// Form bodies (application/x-www-form-urlencoded), log lines (nginx
// combined, key=value application logs, syslog RFC 3164 and RFC 5424)
// and CSV exports with a header row.
import * as id from './ids.mjs';
import * as net from './net.mjs';
import * as sec from './secrets.mjs';
import * as N from './negatives.mjs';
import * as V from './values.mjs';
import { person as newPerson, isoDate } from './people.mjs';
import { pii, neg, nameKey, mapText, pctEncode, join, plainText } from './seg.mjs';
import { supportMessage } from './support.mjs';
import { SLOTS, fill } from './slots.mjs';

// ---- forms -------------------------------------------------------------------

function password(r) {
  return r.weighted([
    [3, () => r.alnum(r.int(10, 20))],
    [3, () => `${r.pick(['Summer', 'Winter', 'Sunshine', 'Dragon', 'Monkey', 'Passwort', 'Soleil', 'Estrella', 'Sakura'])}${r.int(1, 2026)}${r.pick(['!', '#', '', '?', '$'])}`],
    [2, () => r.b64(r.int(12, 24))],
    [1, () => `${r.pick(['correct', 'purple', 'horse', 'staple', 'river'])} ${r.pick(['battery', 'monkey', 'cloud', 'lamp'])} ${r.pick(['horse', 'tree', 'rain'])}`],
  ])();
}

export function formRecord(r, ctx, clean) {
  const p = ctx.person;
  const lower = r.chance(0.2);
  const enc = (x) => mapText(x, (s) => pctEncode(s, { form: true, lower }));
  const kv = (k, v) => [k, '=', enc(v)];
  let fields;
  let kind;
  if (clean) {
    kind = r.weighted([[3, 'search'], [2, 'cart'], [1, 'filter'], [1, 'contact'], [1, 'redacted']]);
    if (kind === 'search') fields = [kv('q', r.pick(['running shoes', 'desk lamp', 'usb c hub', 'linen duvet', 'Laufschuhe', 'chaussures', 'ノートパソコン', 'café moído'])), kv('page', String(r.int(1, 9))), kv('sort', r.pick(['price_asc', 'relevance', 'newest']))];
    else if (kind === 'cart') fields = [kv('sku', neg('sku', N.sku(r))), kv('qty', String(r.int(1, 5))), kv('coupon', r.pick(['SPRING24', 'WELCOME10', 'FREESHIP'])), kv('order_ref', neg('order_id', N.orderId(r)))];
    else if (kind === 'filter') fields = [kv('min_price', neg('price', N.priceNumber(r))), kv('max_price', neg('price', N.priceNumber(r))), kv('from', neg('timestamp', N.timestamp(r))), kv('plan', neg('product_name', r.pick(N.PLANS)))];
    else if (kind === 'contact') fields = [kv('topic', 'other'), kv('message', supportMessage(ctx, { clean: true, oneLine: true }))];
    else fields = [kv('user_id', String(r.int(1, 99999))), kv('password', neg('redacted', N.redacted(r))), kv('card', neg('masked_card', N.maskedCard(r))), kv('version', neg('version', N.version(r)))];
    return { kind: `form.${kind}`, pieces: join(fields, '&') };
  }
  kind = r.weighted([[4, 'login'], [4, 'signup'], [4, 'checkout'], [3, 'payout'], [4, 'contact'], [2, 'kyc'], [2, 'search'], [2, 'newsletter'], [2, 'oauth'], [2, 'profile']]);
  const emailV = () => pii('email', V.emailFor(r, ctx.lang, p));
  const phoneV = () => pii('phone', V.phoneFor(r, ctx.lang, ctx.loc.phone));
  if (kind === 'login') {
    fields = [kv(r.pick(['username', 'email', 'login']), emailV()), kv(r.pick(['password', 'pass', 'pwd']), pii('password', password(r))), kv('remember_me', 'on')];
  } else if (kind === 'signup') {
    fields = [kv('first_name', nameKey(p.first)), kv('last_name', nameKey(p.last)), kv('email', emailV()), kv('phone', phoneV())];
    if (r.chance(0.4)) fields.push(kv(r.pick(['birthdate', 'dob', 'date_of_birth']), pii('date_of_birth', r.chance(0.5) ? isoDate(p.dob) : V.dobText(ctx))));
    fields.push(kv('password', pii('password', password(r))), kv('terms', '1'));
  } else if (kind === 'checkout') {
    const c = id.cardNumber(r).number;
    fields = [kv(r.pick(['cc_number', 'card_number', 'cardnumber', 'pan']), pii('credit_card', V.cardText(r, ctx.lang, c))), kv('cc_name', nameKey(p.full)), kv('cc_exp', `${String(r.int(1, 12)).padStart(2, '0')}/${r.int(25, 31)}`), kv('amount', neg('price', N.priceNumber(r))), kv('order', neg('order_id', N.orderId(r)))];
    if (r.chance(0.5)) fields.push(kv('billing_address', pii('address', V.addressFor(r, ctx.locKey).line)));
  } else if (kind === 'payout') {
    fields = ctx.locKey === 'en_US' && r.chance(0.6)
      ? [kv('routing_number', pii('us_bank_routing', id.abaRouting(r))), kv('account_holder', nameKey(p.full)), kv('reference', neg('order_id', N.orderId(r)))]
      : [kv('iban', pii('iban', V.ibanText(r, ctx.lang))), kv('account_holder', nameKey(p.full)), kv('reference', neg('order_id', N.orderId(r)))];
  } else if (kind === 'contact') {
    fields = [kv('name', nameKey(p.full)), kv('email', emailV()), kv('message', supportMessage(ctx, { oneLine: r.chance(0.7) }))];
  } else if (kind === 'kyc') {
    const opts = V.NATIONAL_BY_LOC[ctx.locKey];
    const t = opts && opts.length ? r.weighted(opts) : r.pick(['in_aadhaar', 'cn_resident_id', 'ca_sin']);
    fields = [kv(r.pick(['id_number', 'national_id', 'tax_id', 'document']), V.national(r, t, p)), kv('dob', pii('date_of_birth', isoDate(p.dob))), kv('address', pii('address', V.addressFor(r, ctx.locKey).line))];
  } else if (kind === 'search') {
    fields = [kv('q', r.weighted([[2, () => pii('person_name', p.full)], [1, () => emailV()], [1, () => phoneV()]])()), kv('type', 'customer')];
  } else if (kind === 'newsletter') {
    fields = [kv('email', emailV()), kv('source', r.pick(['footer', 'popup', 'checkout'])), kv('lang', ctx.lang)];
  } else if (kind === 'oauth') {
    const c = V.credential(r);
    fields = [kv('grant_type', 'client_credentials'), kv('client_id', r.alnum(20)), kv('client_secret', pii('password', r.b64url(r.int(32, 48)))), kv('scope', 'read write')];
    if (r.chance(0.5)) fields.push(kv('api_key', pii(c.type, c.value)));
  } else {
    fields = [kv('display_name', nameKey(p.full)), kv('phone', phoneV()), kv('ip', r.chance(0.7) ? pii('ipv4', net.ipv4(r)) : pii('ipv6', net.ipv6(r))), kv('updated', neg('epoch_s', N.epochSeconds(r)))];
  }
  return { kind: `form.${kind}`, pieces: join(r.chance(0.3) ? r.shuffle(fields) : fields, '&') };
}

// ---- logs --------------------------------------------------------------------

const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n) => String(n).padStart(2, '0');

function clockParts(r) {
  return { y: r.int(2022, 2026), mo: r.int(1, 12), d: r.int(1, 28), h: r.int(0, 23), mi: r.int(0, 59), s: r.int(0, 59) };
}

function userAgent(r) {
  return r.weighted([
    [3, () => ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) ', neg('version', `AppleWebKit/537.36`), ' (KHTML, like Gecko) ', neg('version', `Chrome/${r.int(100, 131)}.0.${r.chance(0.5) ? '0.0' : `${r.int(4000, 6999)}.${r.int(0, 200)}`}`), ' ', neg('version', 'Safari/537.36')]],
    [1, () => ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) ', neg('version', `AppleWebKit/605.1.15`), ' (KHTML, like Gecko) ', neg('version', `Version/17.4`), ' Mobile/15E148 ', neg('version', 'Safari/604.1')]],
    [1, () => ['Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 ', neg('version', `Firefox/${r.int(110, 133)}.0`)]],
    [2, () => [neg('version', `curl/${r.int(7, 8)}.${r.int(0, 88)}.${r.int(0, 9)}`)]],
    [1, () => [neg('version', `okhttp/4.${r.int(9, 12)}.0`)]],
    [1, () => ['python-requests/', neg('version', `${r.int(2, 2)}.${r.int(25, 32)}.${r.int(0, 3)}`)]],
  ])();
}

function queryPieces(r, ctx, clean) {
  const enc = (x) => mapText(x, (s) => pctEncode(s, { form: false }));
  const p = ctx.person;
  if (clean) {
    return r.weighted([[2, () => ['?page=', String(r.int(1, 30)), '&sort=newest']], [1, () => ['?order=', neg('order_id', N.orderId(r).replace('#', '%23'))]], [1, () => ['?v=', neg('git_sha', N.gitSha(r))]], [2, () => []]])();
  }
  return r.weighted([
    [3, () => ['?email=', enc(pii('email', V.emailFor(r, ctx.lang, p))), '&page=', String(r.int(1, 5))]],
    [2, () => ['?phone=', enc(pii('phone', V.phoneFor(r, ctx.lang, ctx.loc.phone)))]],
    [2, () => ['?name=', enc(nameKey(p.full)), '&limit=20']],
    [1, () => ['?access_token=', pii('jwt', sec.jwt(r))]],
    [1, () => { const c = V.credential(r); return ['?api_key=', enc(pii(c.type, c.value))]; }],
    [1, () => ['?iban=', enc(pii('iban', V.ibanText(r, ctx.lang)))]],
    [1, () => ['?redirect=', enc(['https://shop.example.com/account?email=', pii('email', V.emailFor(r, ctx.lang, p))])]],
    [1, () => ['?q=', enc(supportMessage(ctx, { oneLine: true, piiCount: 1, negCount: 0 }))]],
    [2, () => []],
  ])();
}

function nginxLine(r, ctx, clean) {
  const t = clockParts(r);
  const ts = `${p2(t.d)}/${MON[t.mo - 1]}/${t.y}:${p2(t.h)}:${p2(t.mi)}:${p2(t.s)} +0000`;
  const client = r.chance(0.8) ? pii('ipv4', net.ipv4(r)) : pii('ipv6', net.ipv6(r));
  const user = clean || r.chance(0.9) ? '-' : pii('email', V.emailFor(r, ctx.lang, ctx.person));
  const method = r.pick(['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE']);
  const path = r.chance(0.15) && !clean
    ? ['/api/v1/users/', mapText(pii('email', V.emailFor(r, ctx.lang, ctx.person)), (s) => pctEncode(s, { keep: '@+' })), '/orders']
    : [r.pick(['/api/v1/users', '/api/v2/orders', '/search', '/checkout', '/account/settings', '/graphql', '/static/app.js', '/login'])];
  const query = queryPieces(r, ctx, clean);
  const status = r.pick([200, 200, 200, 201, 204, 301, 302, 400, 401, 403, 404, 500]);
  const referer = r.chance(0.6) ? '-' : `https://${r.pick(['www.google.com', 'shop.example.com', 't.co', 'duckduckgo.com'])}/`;
  const xff = r.chance(0.2) && !clean ? [' "', pii('ipv4', net.ipv4(r)), ', ', pii('ipv4', net.ipv4(r)), '"'] : '';
  if (clean) {
    // nginx always logs the client address; a clean line is an internal
    // health check logged without it.
    return [neg('timestamp', `${t.y}/${p2(t.mo)}/${p2(t.d)} ${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}`), ' [info] ', String(r.int(100, 9999)), '#0: *', String(r.int(1, 99999)), ' "', method, ' ', path, query, ' HTTP/1.1" ', String(status), ' ', String(r.int(0, 99999)), ' upstream_time=', `0.${r.digits(3)}`];
  }
  return [client, ' - ', user, ' [', neg('timestamp', ts), '] "', method, ' ', path, query, ' HTTP/1.1" ', String(status), ' ', String(r.int(0, 99999)), ' "', referer, '" "', userAgent(r), '"', xff];
}

const APP_PII_MSGS = [
  'Password reset requested for {email} from {ip}',
  'Sending SMS verification to {phone}',
  'Charge failed for card {card}: insufficient funds',
  'Created customer {full} <{email}>',
  'Refund to IBAN {iban} queued',
  'User {email} logged in from {ip6}',
  'Webhook auth failed; Authorization: Bearer {jwt}',
  'Loaded config with key {secret}',
  'Address validation failed for "{addr}"',
  'KYC check passed for dob={dob}',
  'Connecting to {urlcred}',
  'Device {mac} registered at {ip}',
  'Lookup by phone {phone} returned 0 rows',
  'Shipping label created for {full}, {addr}',
];
const APP_NEG_MSGS = [
  'Order {order} shipped, tracking {track}',
  'Cache miss for {sku}',
  'Request {uuid} completed in 12ms',
  'Deployed build {git} ({ver})',
  'Payment with {masked} settled: {price}',
  'Field ssn={redacted} omitted',
  'Invoice total {price} at {ts}',
  'Client version {ver4}',
  'Rejected reference {badcard}',
  'Mandate {badiban} failed validation',
  'Imported row with legacy code {badssn}',
  'Blob checksum {hash}',
];

function appLine(r, ctx, clean) {
  const t = clockParts(r);
  const iso = neg('timestamp', `${t.y}-${p2(t.mo)}-${p2(t.d)}T${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}.${r.digits(3)}Z`);
  const lvl = r.pick(['info', 'info', 'warn', 'error', 'debug']);
  const style = r.weighted([[3, 'logfmt'], [2, 'python'], [1, 'java']]);
  const msgTpl = clean ? r.pick(APP_NEG_MSGS.concat(['Cache warmed', 'Scheduler tick', 'Connection pool resized to 20', 'Health check ok'])) : r.pick(APP_PII_MSGS);
  let msg = fill(msgTpl, { ...ctx });
  const extra = [];
  const quote = (x) => {
    const s = plainText(x);
    return /[\s"=]/.test(s) ? ['"', mapText(x, (v) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')), '"'] : x;
  };
  if (!clean) {
    const n = r.int(0, 2);
    for (let i = 0; i < n; i++) {
      extra.push(r.weighted([
        [3, () => ['user=', SLOTS.email(ctx)]], [2, () => ['ip=', SLOTS.ip(ctx)]], [1, () => ['client_ip=', SLOTS.ip6(ctx)]],
        [1, () => ['phone=', quote(SLOTS.phone(ctx))]], [1, () => ['customer=', quote(SLOTS.full(ctx))]], [1, () => (ctx.locKey === 'en_US' ? ['ssn=', quote(SLOTS.ssn(ctx))] : ['iban=', quote(SLOTS.iban(ctx))])],
        [1, () => ['token=', SLOTS.jwt(ctx)]], [1, () => ['mac=', SLOTS.mac(ctx)]],
      ])());
    }
  }
  const negN = r.int(1, 3);
  for (let i = 0; i < negN; i++) {
    extra.push(r.weighted([
      [3, () => ['request_id=', SLOTS.uuid(ctx)]], [2, () => ['trace_id=', neg('trace_id', r.hex(32))]], [1, () => ['order_id=', SLOTS.order(ctx)]],
      [1, () => ['amount=', neg('price', N.priceNumber(r))]], [2, () => [`duration_ms=${r.int(1, 5000)}`]], [1, () => ['build=', SLOTS.git(ctx)]],
      [1, () => ['ts=', SLOTS.epoch(ctx)]],
    ])());
  }
  if (style === 'logfmt') return [`ts=`, iso, ` level=${lvl} logger=${r.pick(['billing', 'auth', 'api', 'worker', 'mailer'])} msg=`, quote(msg), extra.length ? ' ' : '', join(extra, ' ')];
  if (style === 'python') return ['[', neg('timestamp', `${t.y}-${p2(t.mo)}-${p2(t.d)} ${p2(t.h)}:${p2(t.mi)}:${p2(t.s)},${r.digits(3)}`), `] ${lvl.toUpperCase()} ${r.pick(['app.billing', 'app.auth', 'celery.worker', 'django.request'])}: `, msg, extra.length ? ' (' : '', join(extra, ', '), extra.length ? ')' : ''];
  return [iso, ` ${lvl.toUpperCase().padEnd(5)} [${r.pick(['main', 'http-nio-8080-exec-3', 'pool-2-thread-1'])}] ${r.pick(['c.e.billing.PaymentService', 'c.e.auth.LoginController', 'c.e.api.CustomerResource'])} - `, msg, extra.length ? ' ' : '', join(extra, ' ')];
}

function syslogLine(r, ctx, clean) {
  const t = clockParts(r);
  const host = r.pick(['web-01', 'web-02', 'mail', 'gw', 'db-1', 'edge-fra-3', 'nas']);
  const ip = () => SLOTS.ip(ctx);
  const msgs = clean
    ? [
      () => ['CRON', `(root) CMD (run-parts /etc/cron.hourly)`],
      () => ['kernel', `EXT4-fs (sda1): mounted filesystem with ordered data mode`],
      () => ['systemd', ['Started Session ', String(r.int(1, 9999)), ' of user deploy.']],
      () => ['sshd', ['Server listening on :: port 22.']],
      () => ['nginx', ['reloaded config, build ', SLOTS.git(ctx)]],
      () => ['app', ['job ', SLOTS.uuid(ctx), ' finished at ', SLOTS.ts(ctx)]],
    ]
    : [
      () => ['sshd', ['Failed password for invalid user ', r.pick(['admin', 'test', 'oracle', 'ubuntu', 'pi']), ' from ', r.chance(0.8) ? ip() : SLOTS.ip6(ctx), ` port ${r.int(1024, 65535)} ssh2`]],
      () => ['sshd', ['Accepted publickey for deploy from ', ip(), ` port ${r.int(1024, 65535)} ssh2: ED25519 SHA256:`, neg('hash', r.b64(43))]],
      () => ['postfix/smtp', [`${r.upperHex(10)}: to=<`, SLOTS.email(ctx), `>, relay=mx.${r.pick(['gmail.com', 'outlook.com', 'web.de'])}[`, ip(), `]:25, delay=0.${r.digits(2)}, status=sent (250 2.0.0 OK)`]],
      () => ['dhcpd', ['DHCPACK on ', ip(), ' to ', SLOTS.mac(ctx), ` (${r.pick(['android-' + r.hex(4), 'DESKTOP-' + r.upperAlnum(7), 'iPhone', 'printer'])}) via eth0`]],
      () => ['dhcpd', ['DHCPREQUEST for ', ip(), ' from ', SLOTS.mac(ctx), ' via eth1']],
      () => ['kernel', ['wlan0: authenticate with ', SLOTS.mac(ctx)]],
      () => ['kernel', ['[UFW BLOCK] IN=eth0 OUT= MAC=', SLOTS.mac(ctx), ' SRC=', ip(), ' DST=', ip(), ` LEN=60 TOS=0x00 PROTO=TCP SPT=${r.int(1024, 65535)} DPT=22`]],
      () => ['app', fill(r.pick(APP_PII_MSGS), ctx)],
      () => ['sudo', ['deploy : TTY=pts/0 ; PWD=/srv ; USER=root ; COMMAND=/usr/bin/psql ', SLOTS.urlcred(ctx)]],
      () => ['dovecot', ['imap-login: Login: user=<', SLOTS.email(ctx), '>, method=PLAIN, rip=', ip(), ', lip=', ip(), ', TLS']],
      () => ['NetworkManager', ['<info>  [', neg('epoch_s', N.epochSeconds(r)), `.${r.digits(4)}] dhcp4 (eth0): address `, SLOTS.ipcidr(ctx)]],
      () => ['NetworkManager', ['<info>  dhcp6 (eth0): address ', SLOTS.ip6cidr(ctx)]],
      () => ['avahi-daemon', ['Registering new address record for ', SLOTS.ip6zone(ctx), ' on wlan0.*.']],
      () => ['sshd', ['Connection from ', SLOTS.ip6(ctx), ` port ${r.int(1024, 65535)} on `, SLOTS.ip6zone(ctx), ' port 22']],
      () => ['haproxy', [SLOTS.ipport(ctx), ` [${p2(t.d)}/${MON[t.mo - 1]}/${t.y}:${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}.${r.digits(3)}] fe_https be_app/app${r.int(1, 9)} 0/0/1/${r.int(2, 300)}/${r.int(3, 400)} 200 ${r.int(100, 99999)} - - ---- 1/1/0/0/0 0/0 "GET /api HTTP/1.1"`]],
    ];
  const [prog, msg] = r.pick(msgs)();
  if (r.chance(0.35)) {
    const pri = `<${r.int(0, 191)}>1 `;
    return [pri, neg('timestamp', `${t.y}-${p2(t.mo)}-${p2(t.d)}T${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}.${r.digits(3)}Z`), ` ${host} ${prog} ${r.int(100, 99999)} - - `, msg];
  }
  const pri = r.chance(0.3) ? `<${r.int(0, 191)}>` : '';
  const stamp = `${MON[t.mo - 1]} ${String(t.d).padStart(2, ' ')} ${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}`;
  return [pri, neg('timestamp', stamp), ` ${host} ${prog}[${r.int(100, 99999)}]: `, msg];
}

// nginx error log: the client and the upstream with its port.
function nginxErrorLine(r, ctx) {
  const t = clockParts(r);
  const client = r.chance(0.8) ? SLOTS.ip(ctx) : SLOTS.ip6(ctx);
  const upstream = r.weighted([[7, () => SLOTS.ipport(ctx)], [2, () => SLOTS.ip6port(ctx)], [1, () => SLOTS.ip6zoneurl(ctx)]])();
  return [neg('timestamp', `${t.y}/${p2(t.mo)}/${p2(t.d)} ${p2(t.h)}:${p2(t.mi)}:${p2(t.s)}`), ` [error] ${r.int(100, 9999)}#0: *${r.int(1, 99999)} `,
    r.pick(['connect() failed (111: Connection refused)', 'upstream timed out (110: Connection timed out)', 'recv() failed (104: Connection reset by peer)']),
    ' while connecting to upstream, client: ', client, `, server: shop.example.com, request: "GET /api/v1/cart HTTP/1.1", upstream: "http://`, upstream, '/api/v1/cart", host: "shop.example.com"'];
}

export function logRecord(r, ctx, clean) {
  let kind = r.weighted([[1, 'nginx'], [1, 'app'], [1, 'syslog']]);
  if (kind === 'nginx' && !clean && r.chance(0.2)) kind = 'nginx_error';
  const pieces = kind === 'nginx' ? nginxLine(r, ctx, clean) : kind === 'nginx_error' ? nginxErrorLine(r, ctx) : kind === 'app' ? appLine(r, ctx, clean) : syslogLine(r, ctx, clean);
  return { kind: `log.${kind}`, pieces };
}

// ---- CSV ---------------------------------------------------------------------

const CSV_HEADERS = {
  en: { first: 'first_name', last: 'last_name', full: 'name', email: 'email', phone: 'phone', dob: 'date_of_birth', addr: 'address', iban: 'iban', card: 'card_number', natid: 'national_id', ip: 'last_ip', created: 'created_at', order: 'order_id', amount: 'amount', sku: 'sku', product: 'product', notes: 'notes' },
  de: { first: 'Vorname', last: 'Nachname', full: 'Name', email: 'E-Mail', phone: 'Telefon', dob: 'Geburtsdatum', addr: 'Adresse', iban: 'IBAN', card: 'Kartennummer', natid: 'Ausweisnummer', ip: 'IP', created: 'Erstellt', order: 'Bestellnr', amount: 'Betrag', sku: 'Artikel', product: 'Produkt', notes: 'Notiz' },
  fr: { first: 'Prénom', last: 'Nom', full: 'Nom complet', email: 'Email', phone: 'Téléphone', dob: 'Date de naissance', addr: 'Adresse', iban: 'IBAN', card: 'Carte', natid: 'NIR', ip: 'IP', created: 'Créé le', order: 'Commande', amount: 'Montant', sku: 'Réf', product: 'Produit', notes: 'Remarques' },
};

function csvField(x, delim) {
  const s = plainText(x);
  if (s.includes(delim) || s.includes('"') || s.includes('\n')) return ['"', mapText(x, (v) => v.replace(/"/g, '""')), '"'];
  return x;
}

export function csvRecord(r, ctx, clean) {
  const delim = ['de', 'fr', 'nl', 'it', 'es'].includes(ctx.lang) && r.chance(0.6) ? ';' : ',';
  const H = CSV_HEADERS[ctx.lang] || CSV_HEADERS.en;
  let cols;
  if (clean) {
    cols = r.pick([['sku', 'product', 'amount', 'created'], ['order', 'amount', 'created'], ['sku', 'product', 'amount']]);
  } else {
    const pool = r.shuffle(['email', 'phone', 'dob', 'addr', 'iban', 'card', 'natid', 'ip', 'notes']);
    cols = ['id', ...(r.chance(0.5) ? ['first', 'last'] : ['full']), ...pool.slice(0, r.int(1, 4)), r.pick(['created', 'order', 'amount'])];
  }
  const rows = [];
  const n = r.weighted([[3, 1], [2, 2], [1, 3]]);
  for (let i = 0; i < n; i++) {
    const c2 = i === 0 ? ctx : { ...ctx, person: newPerson(r, ctx.loc) };
    const p = c2.person;
    const cell = {
      id: () => String(r.int(1, 99999)),
      first: () => nameKey(p.first), last: () => nameKey(p.last), full: () => nameKey(p.full),
      email: () => SLOTS.email(c2), phone: () => SLOTS.phone(c2), dob: () => pii('date_of_birth', r.chance(0.5) ? isoDate(p.dob) : V.dobText(c2)),
      addr: () => SLOTS.addr(c2), iban: () => SLOTS.iban(c2), card: () => SLOTS.card(c2),
      natid: () => { const o = V.NATIONAL_BY_LOC[c2.locKey]; const t = o && o.length ? r.weighted(o) : r.pick(['in_aadhaar', 'cn_resident_id', 'ca_sin']); return V.national(r, t, p); },
      ip: () => (r.chance(0.7) ? SLOTS.ip(c2) : SLOTS.ip6(c2)), created: () => SLOTS.ts(c2), order: () => SLOTS.order(c2), amount: () => neg('price', N.priceNumber(r)),
      sku: () => SLOTS.sku(c2), product: () => SLOTS.product(c2), notes: () => supportMessage(c2, { oneLine: r.chance(0.8), piiCount: 1, negCount: r.int(0, 1) }),
    };
    rows.push(join(cols.map((c) => csvField(cell[c](), delim)), delim));
  }
  const header = cols.map((c) => (c === 'id' ? 'id' : H[c])).join(delim);
  return { kind: 'csv', pieces: [header, '\n', join(rows, '\n')] };
}
