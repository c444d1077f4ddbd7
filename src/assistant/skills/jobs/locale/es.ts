import type { SkillLocale } from '../../../skill.js';

const JOB = '(trabajo|tarea|trabajos|tareas)';

export const es: SkillLocale = {
  description: 'transcribir la grabación que acabas de enviar, y decirte cómo van tus trabajos o cancelarlos',
  intents: {
    'transcribe.intent': [
      '(transcribe|transcribir|transcríbeme) el (archivo|fichero|audio) que [te] [acabo de] (envié|mandé|enviar|mandar)',
      '(transcribe|transcribir|transcríbeme) la grabación que [te] [acabo de] (envié|mandé|enviar|mandar)',
      '(transcribe|transcribir) mi último (archivo|fichero|audio)',
      '(transcribe|transcribir) mi última grabación',
      '(transcribe|transcríbeme) el (archivo|fichero|audio)',
      '(transcribe|transcríbeme) la grabación',
    ],
    'status.intent': [
      `(cómo|como) (va|está|esta|van|están) (mi|mis) ${JOB}`,
      `(qué|que) tal (va|van) (mi|mis) ${JOB}`,
      `[ya] (terminó|termino|acabó|acabo) mi ${JOB}`,
      `(está|esta) (listo|lista|terminado|terminada) mi ${JOB}`,
      `(cuál|cual) es el (estado|progreso) de mi ${JOB}`,
    ],
    'cancel.intent': [
      `(cancela|cancelar|para|detén|deten|anula) (mi|mis) ${JOB}`,
      `(cancela|cancelar|para|detén|deten|anula) (el|la) ${JOB}`,
      `ya no necesito mi ${JOB}`,
    ],
  },
  dialogs: {
    kind_speak: ['voz'],
    kind_transcribe: ['transcripción'],
    kind_image: ['imagen'],
    kind_archive: ['archivo'],
    transcribed: ['{name} dice: {text}'],
    transcribed_silent: ['No he podido entender ninguna palabra en {name}.'],
    transcribing: ['Estoy transcribiendo {name}. Pregúntame en un momento cómo va tu trabajo.'],
    no_recording: ['Todavía no me has enviado ninguna grabación. Envía primero un archivo WAV.'],
    status_queued: ['Tu trabajo de {kind} está esperando para empezar.'],
    status_running: ['Tu trabajo de {kind} va por el {progress} por ciento.'],
    status_running_message: ['Tu trabajo de {kind} va por el {progress} por ciento.'],
    status_done: ['Tu trabajo de {kind} está hecho.'],
    status_done_text: ['Tu trabajo de {kind} está hecho. Dice: {text}'],
    status_done_silent: ['Tu trabajo de {kind} está hecho, pero no he entendido ninguna palabra.'],
    status_failed: ['Tu trabajo de {kind} ha fallado: {reason}'],
    status_cancelled: ['Tu trabajo de {kind} se ha cancelado.'],
    no_jobs: ['No tienes ningún trabajo.'],
    cancelled: ['He cancelado tu trabajo de {kind}.'],
    nothing_to_cancel: ['No tienes ningún trabajo esperando o en marcha que cancelar.'],
    unreachable: ['Lo siento, ahora mismo no puedo llegar a los trabajos del hub.'],
    failed: ['Lo siento, no ha funcionado: {reason}'],
  },
};
