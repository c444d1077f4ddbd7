import type { SkillLocale } from '../../../skill.js';

const SUBS = '(subscrições|assinaturas|inscrições|newsletters)';

export const pt: SkillLocale = {
  description: 'inscrever nas newsletters do hub, e cancelar a inscrição',
  intents: {
    'subscribe.intent': [
      '(subscreve|subscreva|inscreve|inscreva|assina|assine|regista|registe) me (a|à|ao|às|aos|em|na|no|nas|nos) {name}',
      '(me inscreve|me inscreva|me cadastra|me cadastre) (a|à|ao|em|na|no|nas|nos) {name}',
      '(quero|queria) (subscrever|assinar|receber) {name}',
      '(quero|queria) (inscrever me|me inscrever) (a|à|ao|em|na|no|nas|nos) {name}',
      '(subscrever|assinar) {name}',
    ],
    'unsubscribe.intent': [
      '(cancela|cancele|anula|anule) a [minha] (subscrição|assinatura|inscrição) (de|da|do|das|dos|em|na|no|nas|nos) {name}',
      '(tira|tire|remove|remova) me (de|da|do|das|dos) [lista] {name}',
      '(dessubscreve|desinscreve|desinscreva) me (de|da|do|das|dos) {name}',
      '(já não|não) quero (receber|mais) {name} [mais]',
    ],
    'list.intent': [
      '(a que|em que) (estou|é que estou) (subscrito|subscrita|inscrito|inscrita)',
      'quais são as minhas (subscrições|assinaturas|inscrições)',
      'que (subscrições|assinaturas|inscrições) (tenho|é que tenho)',
      '(lista|mostra|diz) me as minhas (subscrições|assinaturas|inscrições)',
      '(lista|mostra) as minhas (subscrições|assinaturas|inscrições)',
      'o que é que eu recebo',
    ],
    'available.intent': [
      `que ${SUBS} (há|existem|tens|tem|posso ter)`,
      `quais ${SUBS} (há|existem)`,
      'a que (posso|me posso) (subscrever|inscrever)',
      `(lista|mostra) [as] ${SUBS} disponíveis`,
    ],
  },
  dialogs: {
    subscribed: ['Feito: a partir de agora recebe {name}.'],
    already: ['Já recebe {name}.'],
    unsubscribed: ['Feito: deixa de receber {name}.'],
    not_subscribed: ['Não recebia {name}.'],
    unknown: ['Não há nenhuma subscrição chamada {name}. Pode subscrever {available}.'],
    unknown_none: ['Não há nenhuma subscrição chamada {name}; o hub ainda não tem subscrições.'],
    full: ['Desculpe, {name} já tem todos os subscritores que pode ter.'],
    list: ['Recebe {names}.'],
    list_none: ['Não recebe nada. Pode subscrever {available}.'],
    list_none_empty: ['Não recebe nada, e o hub ainda não tem subscrições.'],
    available: ['Pode subscrever {names}.'],
    available_none: ['O hub ainda não tem subscrições.'],
    unreachable: ['Desculpe, não consigo chegar às subscrições do hub neste momento.'],
    failed: ['Desculpe, não consegui mudar as subscrições: {reason}'],
    and: ['e'],
  },
};
