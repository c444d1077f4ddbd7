import type { SkillLocale } from '../../../skill.js';

export const pt: SkillLocale = {
  description:
    'abrir uma linha de intercomunicador para uma divisão ou um dispositivo, e responder a quem quer falar',
  intents: {
    'intercom.intent': [
      'intercomunicador (para|com) [o|a] {target}',
      '(abre|abra|inicia|inicie|liga|ligue) [o|um] intercomunicador (para|com) [o|a] {target}',
      '(liga|ligue|chama|chame) (para|a) [o|a] {target} pelo intercomunicador',
      '(liga|ligue|chama|chame) (ao|à) {target} pelo intercomunicador',
      '(põe|ponha) me em (contacto|contato) com [o|a] {target}',
    ],
    'end_intercom.intent': [
      '(termina|termine|fecha|feche|desliga|desligue|acaba|encerra|encerre) [o] intercomunicador',
      '(desliga|desligue) a chamada do intercomunicador',
    ],
    'allow.intent': [
      'sim',
      'sim (por favor|pode|podes|deixa|deixe|claro|permito|aceito)',
      '(permite|permito|permita|aceita|aceito|aceite|autoriza|autorizo) [a chamada|a mensagem]',
      '(claro|com certeza|pode ser|está bem|ok) [pode falar|deixa falar]',
      '(deixa|deixe) (falar|que fale)',
    ],
    'deny.intent': [
      'não',
      'não (obrigado|obrigada|quero|deixes|deixe|permito|aceito)',
      '(recusa|recuso|recuse|rejeita|rejeito|bloqueia|bloqueie|nega) [a chamada|a mensagem]',
      'nunca',
    ],
  },
  dialogs: {
    calling: ['Pedi a {target} que aceite o intercomunicador. Vai ouvir quando responderem.'],
    ended: ['O intercomunicador está fechado.'],
    not_open: ['Não há nenhum intercomunicador aberto.'],
    allowed: ['Está bem, {sender} pode falar consigo.'],
    denied: ['Está bem, {sender} não pode falar consigo.'],
    nobody_waiting: ['Ninguém está à espera de resposta.'],
    unknown_target: ['Não conheço nenhuma divisão nem dispositivo chamado {target}.'],
    offline: ['{target} está desligado neste momento.'],
    empty: ['Não há ninguém em {target}.'],
    busy: ['{target} está noutra linha de intercomunicador.'],
    too_many: ['Há demasiadas linhas de intercomunicador abertas neste momento.'],
    refused: ['{target} não aceita o intercomunicador da sua parte.'],
    held_full: ['Já há demasiadas mensagens à espera de resposta. Tente mais tarde.'],
    unavailable: ['Desculpe, não consigo chegar ao intercomunicador do hub neste momento.'],
    failed: ['Desculpe, isso não funcionou: {reason}'],
  },
};
