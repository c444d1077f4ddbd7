import type { SkillLocale } from '../../../skill.js';

const IN = '(no|na|nos|nas|em)';
const TO = '(a|à|ao|aos|às|para|para o|para a)';

export const pt: SkillLocale = {
  description: 'conhecer as divisões da casa, levar recados e perguntas entre elas, e fazer anúncios',
  intents: {
    'rooms.intent': [
      'que (divisões|salas|quartos|cômodos) (há|existem|tens|tem|conheces|temos)',
      'quais são as (divisões|salas) [da casa]',
      '(lista|diz|mostra) [me] [todas] as (divisões|salas)',
      'quantas (divisões|salas) (há|existem|tem a casa)',
    ],
    'who_is_in.intent': [
      `quem (está|é que está) ${IN} {room}`,
      `quem está (ligado|online) ${IN} {room}`,
      `que (dispositivos|clientes|colunas) (estão|há) ${IN} {room}`,
    ],
    'is_online.intent': [
      '(o|a) {room} está (ligado|ligada|online|disponível|acordado|acordada)',
      `(está|há) (alguém|algum dispositivo) ${IN} {room}`,
      `(consegues|consegue|podes|pode) chegar (ao|à|a) {room}`,
    ],
    'tell.intent': [
      `(diz|diga|avisa|avise|informa|informe) ${TO} {rest}`,
      `(manda|envia|mande|envie) [uma] mensagem ${TO} {rest}`,
    ],
    'ask.intent': [`(pergunta|pergunte) ${TO} {rest}`],
    'announce.intent': ['(anuncia|anuncie) [que] {rest}', '(faz|faça) um anúncio {rest}'],
    'conference_on.intent': [
      `(liga|ligue|ativa|ative|começa|comece|inicia|inicie|abre|abra) [a|uma] conferência [${IN} {room}]`,
    ],
    'conference_only.intent': [
      `(liga|ligue|ativa|ative|começa|comece|inicia|inicie|abre|abra) [a|uma] conferência (silenciosa|privada|só entre vocês|sem assistente) [${IN} {room}]`,
      `conferência (só|apenas) [${IN} {room}]`,
    ],
    'conference_off.intent': [
      `(desliga|desligue|desativa|desative|termina|termine|acaba|fecha|feche|para|pare) [a] conferência [${IN} {room}]`,
    ],
  },
  dialogs: {
    rooms: ['As divisões são {list}.'],
    one_room: ['Há uma divisão: {list}.'],
    no_rooms: [
      'Ainda não há divisões. Um administrador põe um cliente numa divisão com hivelink clients set e a opção site.',
    ],
    who_online: ['Em {room}: {online}, ligado.'],
    who_offline: ['Em {room}: {offline}, tudo desligado.'],
    who_mixed: ['Em {room}: {online} ligado, e {offline} desligado.'],
    online: ['Sim, {room} está ligado: {online}.'],
    offline: ['Não, {room} está desligado.'],
    told: ['Recado dado a {room}.'],
    says: ['{room} diz: {answer}'],
    announced_all: ['Anunciado em {count} dispositivos.'],
    announced_room: ['Anunciado em {room}, em {count} dispositivos.'],
    tell_what: ['O que devo dizer a {room}?'],
    ask_what: ['O que devo perguntar a {room}?'],
    announce_what: ['O que devo anunciar?'],
    which_room: ['Que divisão?'],
    unknown_room: ['Não conheço nenhuma divisão chamada {room}.'],
    empty_room: ['Não há ninguém em {room}.'],
    offline_room: ['{room} está desligado neste momento.'],
    no_answer: ['{room} não respondeu.'],
    not_understood: ['{room} não percebeu isso.'],
    busy: ['Há demasiadas perguntas à espera das suas divisões. Tente daqui a pouco.'],
    loop: ['Não posso passar isso a partir de uma pergunta reencaminhada.'],
    consent_pending: ['Pedi a {room} que o autorize primeiro. Vai ouvir quando responderem.'],
    consent_denied: ['{room} não aceita mensagens suas.'],
    consent_full: ['Já há demasiadas mensagens à espera de resposta. Tente mais tarde.'],
    admin_only: ['Só um administrador pode fazer anúncios.'],
    conference_on: ['A conferência está ligada em {room}: todos lá se ouvem uns aos outros.'],
    conference_only: ['A conferência está ligada em {room}, sem mim: não respondo lá até que termine.'],
    conference_off: ['A conferência em {room} está desligada.'],
    conference_admin_only: ['Só um administrador pode começar ou terminar uma conferência.'],
    unavailable: ['Não consigo chegar à casa neste momento.'],
    failed: ['Isso não funcionou: {reason}'],
  },
};
