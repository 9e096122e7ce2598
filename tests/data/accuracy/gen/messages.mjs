// Free-text support messages in several languages. Each template receives
// a person and the labeling helpers, and returns one line of text.

import * as V from './values.mjs';
import { nationalIdValue, ID_WORDS } from './people.mjs';
import { pick, int, chance } from './rng.mjs';

// PII messages: (p, P, N) => string. P(type, value) labels a value.
export const PII_MESSAGES = {
    en: [
        (p, P) => `Hi, I was charged twice on my card ${P('credit_card', p.card)}. Please refund it. You can reach me at ${P('phone', p.phone)} or ${P('email', p.email)}.`,
        (p, P) => `Hello, I can't log in with ${P('email', p.email)}, the reset link never arrives. Thanks, ${P('person_name', p.fullName)}`,
        (p, P) => `Please update my bank details for the refund: IBAN ${P('iban', p.iban)}, account holder ${P('person_name', p.fullName)}.`,
        (p, P) => `call me back on ${P('phone', p.phone)} asap, its about the cancelled order`,
        (p, P, N) => `My order ${N('order_id', V.orderId())} never arrived. I paid with ${P('credit_card', p.card)}. Email me at ${P('email', p.email)}`,
        (p, P) => { const [k, v] = p.nationalId(); return `For the tax form: my ${pick(ID_WORDS[k])} is ${P(k, v)} and I was born on ${P('date_of_birth', p.dob)}.`; },
        (p, P) => `Can you change the phone number on my account to ${P('phone', p.phone)}? The old one no longer works.`,
        (p, P) => `FYI the card ending in 1234 expired, new card is ${P('credit_card', p.card)} exp 09/28`,
        (p, P) => `Please send the invoice to ${P('email', p.email)} instead of my work address.`,
        (p, P) => `Wire instructions: routing number ${P('us_bank_routing', V.aba())}, beneficiary is our LLC. Contact ${P('phone', p.phone)}.`,
        (p, P) => `Hi team, my date of birth is wrong on file. Correct DOB: ${P('date_of_birth', p.dob)}. Regards, ${P('person_name', p.fullName)}`,
        (p, P) => `I have been trying to reach support for days!!! ${P('phone', p.phone)} / ${P('email', p.email)}`,
    ],
    de: [
        (p, P) => `Hallo, bitte buchen Sie die Rate künftig von meinem neuen Konto ab: IBAN ${P('iban', p.iban)}. Viele Grüße, ${P('person_name', p.fullName)}`,
        (p, P) => `Guten Tag, ich erreiche Sie telefonisch nicht. Meine Nummer: ${P('phone', p.phone)}, E-Mail: ${P('email', p.email)}.`,
        (p, P, N) => `Meine Kreditkarte ${P('credit_card', p.card)} wurde für Bestellung ${N('order_id', V.orderId())} doppelt belastet.`,
        (p, P) => `Bitte rufen Sie mich unter ${P('phone', p.phone)} zurück, es geht um die Kündigung.`,
        (p, P) => `Ich bin am ${P('date_of_birth', p.dob)} geboren, im System steht ein falsches Geburtsdatum.`,
        (p, P) => `Die Rechnung bitte an ${P('email', p.email)} schicken. Danke!`,
    ],
    fr: [
        (p, P) => `Bonjour, je n'arrive pas à me connecter avec l'adresse ${P('email', p.email)}. Pouvez-vous me rappeler au ${P('phone', p.phone)} ?`,
        (p, P) => `Voici mon IBAN pour le remboursement : ${P('iban', p.iban)}. Merci d'avance, ${P('person_name', p.fullName)}`,
        (p, P) => `Ma carte ${P('credit_card', p.card)} a été débitée deux fois, merci de vérifier.`,
        (p, P) => { const v = nationalIdValue('fr_nir', p); return `Mon numéro de sécurité sociale est le ${P('fr_nir', v)}, né le ${P('date_of_birth', p.dob)}.`; },
        (p, P) => `Vous pouvez me joindre au ${P('phone', p.phone)} entre 9h et 18h.`,
        (p, P) => `Merci d'envoyer la facture à ${P('email', p.email)}.`,
    ],
    es: [
        (p, P) => `Hola, mi teléfono es ${P('phone', p.phone)} y mi correo ${P('email', p.email)}. Espero su respuesta.`,
        (p, P) => `Necesito cambiar la cuenta de cobro: ${P('iban', p.iban)}. Titular: ${P('person_name', p.fullName)}.`,
        (p, P) => { const k = pick(['es_dni', 'es_nie']); return `Buenas, mi ${k === 'es_dni' ? 'DNI' : 'NIE'} es ${P(k, nationalIdValue(k, p))}, ¿pueden actualizarlo en la factura?`; },
        (p, P) => `Me cobraron dos veces en la tarjeta ${P('credit_card', p.card)}.`,
        (p, P) => `Llámenme al ${P('phone', p.phone)} por favor, es urgente.`,
        (p, P) => `Mi fecha de nacimiento es ${P('date_of_birth', p.dob)}, no la que aparece en mi perfil.`,
    ],
    it: [
        (p, P) => `Buongiorno, il mio codice fiscale è ${P('it_fiscal_code', nationalIdValue('it_fiscal_code', p))} e il mio IBAN ${P('iban', p.iban)}.`,
        (p, P) => `Potete richiamarmi al ${P('phone', p.phone)}? Grazie, ${P('person_name', p.fullName)}`,
        (p, P) => `Ho ricevuto un addebito doppio sulla carta ${P('credit_card', p.card)}.`,
        (p, P) => `Scrivetemi pure a ${P('email', p.email)} per la conferma.`,
        (p, P) => `Sono nato il ${P('date_of_birth', p.dob)}, la data sul contratto è sbagliata.`,
    ],
    nl: [
        (p, P) => `Hoi, mijn BSN is ${P('nl_bsn', nationalIdValue('nl_bsn', p))} en mijn telefoonnummer ${P('phone', p.phone)}.`,
        (p, P) => `Graag het bedrag terugstorten op ${P('iban', p.iban)} t.n.v. ${P('person_name', p.fullName)}.`,
        (p, P) => `Ik kan niet inloggen met ${P('email', p.email)}, kunnen jullie helpen?`,
        (p, P) => `Bel me even terug op ${P('phone', p.phone)} aub.`,
        (p, P) => `Mijn creditcard ${P('credit_card', p.card)} is twee keer belast.`,
    ],
    pt: [
        (p, P) => `Olá, meu CPF é ${P('br_cpf', nationalIdValue('br_cpf', p))} e meu celular ${P('phone', p.phone)}.`,
        (p, P) => `Fui cobrado duas vezes no cartão ${P('credit_card', p.card)}. Meu e-mail: ${P('email', p.email)}`,
        (p, P) => `Podem me ligar no ${P('phone', p.phone)}? Obrigado, ${P('person_name', p.fullName)}`,
        (p, P) => `Minha chave PIX é ${P('email', p.email)}, pode fazer o estorno por lá.`,
        (p, P) => `Data de nascimento: ${P('date_of_birth', p.dob)}. O cadastro está errado.`,
    ],
    ja: [
        (p, P) => `お世話になっております。電話番号は${P('phone', p.phone)}、メールは${P('email', p.email)}です。`,
        (p, P) => `カード番号${P('credit_card', p.card)}で二重に請求されています。確認をお願いします。`,
        (p, P) => `${P('person_name', p.fullName)}と申します。生年月日は${P('date_of_birth', p.dob)}です。`,
        (p, P) => `折り返しのご連絡は ${P('phone', p.phone)} までお願いいたします。`,
        (p, P) => `返金先の口座について、メール(${P('email', p.email)})でご連絡ください。`,
    ],
};

// PII-free messages.
export const CLEAN_MESSAGES = {
    en: [
        () => `The export button doesn't do anything in Safari ${int(15, 18)}. Works in Firefox though.`,
        () => `Hi, is there a way to change the billing cycle from monthly to yearly?`,
        () => `App crashes every time I open the settings page after the last update.`,
        () => `Thanks for the quick fix, everything works again!`,
        () => `Could you add dark mode to the dashboard? It's really bright at night.`,
        () => `The delivery was ${int(2, 9)} days late and the box was damaged. Not happy.`,
        () => `How do I invite ${int(2, 12)} more people to our workspace? The button is greyed out.`,
        () => `We upgraded to the Pro plan yesterday but the limits still show the old values.`,
        () => `Is the API down? We get timeouts since about ${int(1, 12)}:${pick(['00', '15', '30', '45'])} this morning.`,
        () => `Please close this ticket, the issue was on our side.`,
    ],
    de: [
        () => `Die App stürzt beim Öffnen der Einstellungen ab.`,
        () => `Wann wird die Bestellung ungefähr geliefert? Danke im Voraus.`,
        () => `Der Export als PDF funktioniert seit dem Update nicht mehr.`,
        () => `Kann ich mein Abo pausieren statt kündigen?`,
    ],
    fr: [
        () => `L'application plante quand j'ouvre les paramètres.`,
        () => `Est-il possible de passer à la facturation annuelle ?`,
        () => `Le colis est arrivé abîmé, que dois-je faire ?`,
        () => `Merci pour votre aide, tout fonctionne maintenant.`,
    ],
    es: [
        () => `La aplicación se cierra al abrir la configuración.`,
        () => `¿Cuándo llegará mi pedido? Ya pasaron ${int(3, 10)} días.`,
        () => `No puedo descargar la factura en PDF desde el panel.`,
        () => `Gracias, ya quedó resuelto.`,
    ],
    it: [
        () => `L'app si chiude quando apro le impostazioni.`,
        () => `È possibile passare all'abbonamento annuale?`,
        () => `Il pacco è arrivato danneggiato.`,
    ],
    nl: [
        () => `De app crasht als ik de instellingen open.`,
        () => `Kan ik mijn abonnement tijdelijk stopzetten?`,
        () => `Bedankt, het werkt weer!`,
    ],
    pt: [
        () => `O aplicativo fecha sozinho quando abro as configurações.`,
        () => `Quando meu pedido vai chegar? Já faz ${int(3, 12)} dias.`,
        () => `Obrigado pelo retorno rápido!`,
    ],
    ja: [
        () => `設定画面を開くとアプリが終了してしまいます。`,
        () => `年払いのプランに変更できますか？`,
        () => `迅速なご対応ありがとうございました。`,
    ],
};
