import type { SkillLocale } from '../../../skill.js';

const JOB = '(trabalho|tarefa|trabalhos|tarefas)';
const MY = '(o meu|a minha|meu|minha|os meus|as minhas)';

export const pt: SkillLocale = {
  description:
    'transcrever a gravação que acabou de enviar, e dizer como vão os seus trabalhos ou cancelá-los',
  intents: {
    'transcribe.intent': [
      '(transcreve|transcreva|transcrever) o (ficheiro|arquivo|áudio|audio) que [eu] [acabei de] (enviei|mandei|enviar|mandar)',
      '(transcreve|transcreva|transcrever) a gravação que [eu] [acabei de] (enviei|mandei|enviar|mandar)',
      '(transcreve|transcreva|transcrever) o [meu] último (ficheiro|arquivo|áudio|audio)',
      '(transcreve|transcreva|transcrever) a [minha] última gravação',
      '(transcreve|transcreva) o (ficheiro|arquivo|áudio|audio)',
      '(transcreve|transcreva) a gravação',
    ],
    'status.intent': [
      `como (vai|está|anda|estão|vão) ${MY} ${JOB}`,
      `como é que (vai|está) ${MY} ${JOB}`,
      `${MY} ${JOB} já (acabou|terminou|está pronto|está pronta)`,
      `qual é o (estado|progresso) (do meu|da minha|dos meus|das minhas) ${JOB}`,
    ],
    'cancel.intent': [
      `(cancela|cancele|para|pare|anula|anule) ${MY} ${JOB}`,
      `(cancela|cancele|para|pare|anula|anule) (o|a) ${JOB}`,
      `já não preciso (do meu|da minha|dos meus|das minhas) ${JOB}`,
    ],
  },
  dialogs: {
    kind_speak: ['fala'],
    kind_transcribe: ['transcrição'],
    kind_image: ['imagem'],
    kind_archive: ['arquivo'],
    transcribed: ['{name} diz: {text}'],
    transcribed_silent: ['Não consegui perceber nenhuma palavra em {name}.'],
    transcribing: ['Estou a transcrever {name}. Pergunte-me daqui a pouco como vai o seu trabalho.'],
    no_recording: ['Ainda não me enviou nenhuma gravação. Envie primeiro um ficheiro WAV.'],
    status_queued: ['O seu trabalho de {kind} está à espera de começar.'],
    status_running: ['O seu trabalho de {kind} vai em {progress} por cento.'],
    status_running_message: ['O seu trabalho de {kind} vai em {progress} por cento.'],
    status_done: ['O seu trabalho de {kind} está feito.'],
    status_done_text: ['O seu trabalho de {kind} está feito. Diz: {text}'],
    status_done_silent: ['O seu trabalho de {kind} está feito, mas não percebi nenhuma palavra.'],
    status_failed: ['O seu trabalho de {kind} falhou: {reason}'],
    status_cancelled: ['O seu trabalho de {kind} foi cancelado.'],
    no_jobs: ['Não tem nenhum trabalho.'],
    cancelled: ['Cancelei o seu trabalho de {kind}.'],
    nothing_to_cancel: ['Não tem nenhum trabalho à espera ou a correr para cancelar.'],
    unreachable: ['Desculpe, não consigo chegar aos trabalhos do hub neste momento.'],
    failed: ['Desculpe, não resultou: {reason}'],
  },
};
