/**
 * Languages (issue 17): every built-in skill answers in Portuguese and Spanish through the real assistant — the
 * utterance's `lang` picks the skill's resources (any region and case: `pt-BR`, `PT-pt`, `es_MX`), the right intent
 * runs and the answer is in that language — and a language no skill speaks is answered "language not supported",
 * not "did not understand". The hub's services (timers, house, intercom, subscriptions, jobs) are stand-ins on the bus.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LANG_UNSUPPORTED_CODE, LANG_UNSUPPORTED_DIALOG } from '../../../src/assistant/locale/index.js';
import { builtInSkills } from '../../../src/assistant/skills/index.js';
import { response } from '../../../src/bus/message.js';
import type { MessageData } from '../../../src/bus/types.js';
import { type Harness, spoken, startHarness, types } from './harness.js';

const NOW = Date.parse('2025-11-22T15:42:00Z');

/** The job the stand-in job service answers with. */
const JOB = {
  id: 'j-1',
  kind: 'transcribe',
  state: 'done',
  progress: 100,
  message: '',
  result: { text: 'olá' },
  error: null,
};

/** Answers the hub's services the way the hub does when all goes well. */
function fakeHub(h: Harness): void {
  const rooms = [
    { name: 'cozinha', online: 1, clients: [{ name: 'sat-1', online: true }] },
    { name: 'cocina', online: 1, clients: [{ name: 'sat-2', online: true }] },
  ];
  const answers: Record<string, (m: MessageData) => Record<string, unknown>> = {
    'hive.timer.set': (m) => {
      const at = m.data.at as { hour: number; minute: number } | undefined;
      const due =
        at === undefined ? NOW + Number(m.data.duration_ms) : Date.UTC(2025, 10, 23, at.hour, at.minute);
      const timer = {
        id: 1,
        kind: m.data.kind,
        name: m.data.name,
        due_at: due,
        duration_ms: m.data.duration_ms ?? null,
      };
      return { timer };
    },
    'hive.timer.list': () => ({
      timers: [{ id: 1, kind: 'timer', name: null, due_at: NOW + 300_000, duration_ms: 300_000 }],
    }),
    'hive.house.rooms': (m) =>
      m.data.room === undefined ? { rooms } : { room: rooms.find((r) => r.name === m.data.room) },
    'hive.house.tell': (m) => ({ room: m.data.room }),
    'hive.house.ask': (m) => ({ room: m.data.room, answers: ['15:42'] }),
    'hive.house.announce': () => ({ delivered: 2 }),
    'hive.house.room.set': (m) => ({ room: m.data.room }),
    'hive.house.intercom': (m) => ({ state: 'held', with: m.data.target }),
    'hive.house.consent': () => ({ sender: 'office' }),
    'hive.subscriptions.subscribe': (m) => ({ name: m.data.name, already: false }),
    'hive.subscriptions.list': () => ({ subscribed: ['noticias'], available: ['noticias', 'tempo'] }),
    'hive.job.recent_file': () => ({ file: { file_id: 'f-1', name: 'nota.wav' } }),
    'hive.job.submit': () => ({ job: { ...JOB, state: 'queued', progress: 0 } }),
    'hive.job.wait': () => ({ job: JOB, ended: true }),
    'hive.job.list': () => ({ jobs: [{ ...JOB, state: 'running', progress: 40, result: null }] }),
    'hive.job.cancel': () => ({ job: { ...JOB, state: 'running', message: 'cancelling' } }),
  };
  for (const [type, answer] of Object.entries(answers)) {
    h.bus.on(type, (m) => h.bus.emit(response(m, { ok: true, now: NOW, ...answer(m) })));
  }
}

interface Row {
  readonly skill: string;
  readonly intent: string;
  readonly lang: string;
  readonly say: string;
  readonly answer: string;
}

const ROWS: readonly Row[] = [
  // greeting
  { skill: 'greeting', intent: 'hello', lang: 'pt-PT', say: 'Olá!', answer: 'Olá!' },
  {
    skill: 'greeting',
    intent: 'how_are_you',
    lang: 'pt-BR',
    say: 'Tudo bem?',
    answer: 'Estou bem, obrigado por perguntar.',
  },
  { skill: 'greeting', intent: 'thanks', lang: 'pt', say: 'muito obrigada', answer: 'De nada!' },
  { skill: 'greeting', intent: 'goodbye', lang: 'pt', say: 'até logo', answer: 'Adeus!' },
  { skill: 'greeting', intent: 'hello', lang: 'es-ES', say: '¡Buenos días!', answer: '¡Hola!' },
  {
    skill: 'greeting',
    intent: 'how_are_you',
    lang: 'es-MX',
    say: '¿Cómo estás?',
    answer: 'Estoy bien, gracias por preguntar.',
  },
  { skill: 'greeting', intent: 'goodbye', lang: 'es', say: 'hasta mañana', answer: '¡Adiós!' },
  // time
  { skill: 'time', intent: 'time', lang: 'pt-PT', say: 'Que horas são?', answer: 'São 15:42.' },
  { skill: 'time', intent: 'time', lang: 'pt-BR', say: 'você tem horas?', answer: 'São 15:42.' },
  {
    skill: 'time',
    intent: 'date',
    lang: 'pt-BR',
    say: 'Que dia é hoje?',
    answer: 'Hoje é sábado, 22 de novembro de 2025.',
  },
  { skill: 'time', intent: 'time', lang: 'es', say: '¿Qué hora es?', answer: 'Son las 15:42.' },
  {
    skill: 'time',
    intent: 'date',
    lang: 'es-MX',
    say: '¿Qué fecha es hoy?',
    answer: 'Hoy es sábado, 22 de noviembre de 2025.',
  },
  // joke
  {
    skill: 'joke',
    intent: 'joke',
    lang: 'pt',
    say: 'Conta-me uma piada',
    answer: 'Qual é o contrário de volátil? Vem cá, sobrinho.',
  },
  {
    skill: 'joke',
    intent: 'joke',
    lang: 'es',
    say: 'Cuéntame un chiste',
    answer: '¿Qué le dice un techo a otro? Techo de menos.',
  },
  // whoami
  { skill: 'whoami', intent: 'where_am_i', lang: 'pt', say: 'Onde estou?', answer: 'Está em kitchen.' },
  {
    skill: 'whoami',
    intent: 'who_am_i',
    lang: 'es',
    say: '¿Cómo me llamo?',
    answer:
      'Eres kitchen-sat, hablando desde kitchen. Tu conexión es hivelink-test/1.0::client-1::kitchen-sat::sat-kitchen.',
  },
  // help
  {
    skill: 'help',
    intent: 'what_can_you_do',
    lang: 'pt',
    say: 'O que sabes fazer?',
    answer: 'Posso cumprimentar e conversar um pouco, ',
  },
  {
    skill: 'help',
    intent: 'what_can_you_do',
    lang: 'es',
    say: '¿Qué puedes hacer?',
    answer: 'Puedo saludarte y charlar un poco, ',
  },
  // speak
  {
    skill: 'speak',
    intent: 'say',
    lang: 'pt',
    say: 'Repete comigo: bom dia a todos',
    answer: 'bom dia a todos',
  },
  { skill: 'speak', intent: 'say', lang: 'es', say: 'Di hola mundo', answer: 'hola mundo' },
  // math
  {
    skill: 'math',
    intent: 'calculate',
    lang: 'pt-BR',
    say: 'quanto é doze vezes sete',
    answer: '12 vezes 7 dá 84.',
  },
  {
    skill: 'math',
    intent: 'calculate',
    lang: 'pt-PT',
    say: 'Quanto é 12 vezes 7?',
    answer: '12 vezes 7 dá 84.',
  },
  {
    skill: 'math',
    intent: 'divide',
    lang: 'pt',
    say: 'divide dez por quatro',
    answer: '10 a dividir por 4 dá 2,5.',
  },
  { skill: 'math', intent: 'add', lang: 'pt', say: 'soma vinte e um e dois', answer: '21 mais 2 dá 23.' },
  { skill: 'math', intent: 'calculate', lang: 'es', say: '¿Cuánto es 12 por 7?', answer: '12 por 7 son 84.' },
  {
    skill: 'math',
    intent: 'calculate',
    lang: 'es-AR',
    say: 'cuánto es doce por siete',
    answer: '12 por 7 son 84.',
  },
  {
    skill: 'math',
    intent: 'subtract',
    lang: 'es',
    say: 'resta tres de veintiuno',
    answer: '21 menos 3 son 18.',
  },
  // about
  {
    skill: 'about',
    intent: 'about',
    lang: 'pt',
    say: 'O que é o hivelink?',
    answer: 'Sou o assistente integrado no hivelink, ',
  },
  {
    skill: 'about',
    intent: 'about',
    lang: 'es',
    say: '¿Quién eres?',
    answer: 'Soy el asistente integrado en hivelink, ',
  },
  // colour
  {
    skill: 'colour',
    intent: 'recall_colour',
    lang: 'pt',
    say: 'Qual é a minha cor favorita?',
    answer: 'Ainda não sei a sua cor favorita. Diga: faz-me uma pergunta.',
  },
  {
    skill: 'colour',
    intent: 'recall_colour',
    lang: 'es',
    say: '¿Cuál es mi color favorito?',
    answer: 'Todavía no sé tu color favorito. Di: hazme una pregunta.',
  },
  // house
  {
    skill: 'house',
    intent: 'rooms',
    lang: 'pt',
    say: 'Que divisões há?',
    answer: 'As divisões são cozinha e cocina.',
  },
  {
    skill: 'house',
    intent: 'tell',
    lang: 'pt',
    say: 'Diz à cozinha que o jantar está pronto',
    answer: 'Recado dado a cozinha.',
  },
  {
    skill: 'house',
    intent: 'ask',
    lang: 'pt',
    say: 'Pergunta à cozinha que horas são',
    answer: 'cozinha diz: 15:42',
  },
  {
    skill: 'house',
    intent: 'who_is_in',
    lang: 'es',
    say: '¿Quién está en la cocina?',
    answer: 'En cocina: sat-2, conectado.',
  },
  {
    skill: 'house',
    intent: 'tell',
    lang: 'es',
    say: 'Dile a la cocina que la cena está lista',
    answer: 'Recado dado a cocina.',
  },
  {
    skill: 'house',
    intent: 'announce',
    lang: 'es',
    say: 'Anuncia que la cena está lista en toda la casa',
    answer: 'Anunciado en 2 dispositivos.',
  },
  // intercom
  {
    skill: 'intercom',
    intent: 'intercom',
    lang: 'pt',
    say: 'Abre o intercomunicador para a garagem',
    answer: 'Pedi a garagem que aceite o intercomunicador. Vai ouvir quando responderem.',
  },
  {
    skill: 'intercom',
    intent: 'allow',
    lang: 'pt',
    say: 'sim',
    answer: 'Está bem, office pode falar consigo.',
  },
  { skill: 'intercom', intent: 'deny', lang: 'es', say: 'no', answer: 'Vale, office no puede hablarte.' },
  {
    skill: 'intercom',
    intent: 'intercom',
    lang: 'es',
    say: 'Abre el intercomunicador con la cocina',
    answer: 'He pedido a cocina que acepte el intercomunicador. Te avisaré cuando respondan.',
  },
  // subscriptions
  {
    skill: 'subscriptions',
    intent: 'subscribe',
    lang: 'pt',
    say: 'Inscreve-me nas notícias',
    answer: 'Feito: a partir de agora recebe notícias.',
  },
  {
    skill: 'subscriptions',
    intent: 'available',
    lang: 'pt',
    say: 'Que subscrições há?',
    answer: 'Pode subscrever noticias e tempo.',
  },
  {
    skill: 'subscriptions',
    intent: 'list',
    lang: 'es',
    say: '¿A qué estoy suscrito?',
    answer: 'Estás suscrito a noticias.',
  },
  // timer
  {
    skill: 'timer',
    intent: 'set_timer',
    lang: 'pt-PT',
    say: 'Põe um temporizador de 5 minutos',
    answer: 'Temporizador de 5 minutos a contar.',
  },
  {
    skill: 'timer',
    intent: 'set_timer',
    lang: 'pt-BR',
    say: 'coloca um timer de uma hora e meia',
    answer: 'Temporizador de 1 hora e 30 minutos a contar.',
  },
  {
    skill: 'timer',
    intent: 'wake_me',
    lang: 'pt',
    say: 'Acorda-me às sete e meia',
    answer: 'Está bem, acordo-o às 7:30 amanhã.',
  },
  {
    skill: 'timer',
    intent: 'remind',
    lang: 'pt',
    say: 'Lembra-me de ligar à minha mãe daqui a 2 horas',
    answer: 'Está bem, daqui a 2 horas lembro-o de ligar à sua mãe.',
  },
  {
    skill: 'timer',
    intent: 'list',
    lang: 'pt',
    say: 'Que temporizadores tenho?',
    answer: 'Tem um temporizador de 5 minutos com 5 minutos por passar.',
  },
  {
    skill: 'timer',
    intent: 'set_timer',
    lang: 'es',
    say: 'Pon un temporizador de diez minutos',
    answer: 'Temporizador de 10 minutos en marcha.',
  },
  {
    skill: 'timer',
    intent: 'set_alarm',
    lang: 'es',
    say: 'Pon una alarma a las ocho menos cuarto de la tarde',
    answer: 'Alarma puesta para las 19:45 mañana.',
  },
  {
    skill: 'timer',
    intent: 'remind',
    lang: 'es-MX',
    say: 'Recuérdame llamar a mi madre en media hora',
    answer: 'Vale, dentro de 30 minutos te recordaré llamar a tu madre.',
  },
  {
    skill: 'timer',
    intent: 'list',
    lang: 'es',
    say: '¿Qué temporizadores tengo?',
    answer: 'Tienes un temporizador de 5 minutos al que le quedan 5 minutos.',
  },
  // jobs
  {
    skill: 'jobs',
    intent: 'transcribe',
    lang: 'pt-PT',
    say: 'Transcreve a gravação que acabei de enviar',
    answer: 'nota.wav diz: olá',
  },
  {
    skill: 'jobs',
    intent: 'status',
    lang: 'pt-BR',
    say: 'Como está o meu trabalho?',
    answer: 'O seu trabalho de transcrição vai em 40 por cento.',
  },
  {
    skill: 'jobs',
    intent: 'cancel',
    lang: 'pt',
    say: 'Cancela o meu trabalho',
    answer: 'Cancelei o seu trabalho de transcrição.',
  },
  {
    skill: 'jobs',
    intent: 'transcribe',
    lang: 'es',
    say: 'Transcribe el archivo que te acabo de enviar',
    answer: 'nota.wav dice: olá',
  },
  {
    skill: 'jobs',
    intent: 'status',
    lang: 'es-MX',
    say: '¿Qué tal va mi trabajo?',
    answer: 'Tu trabajo de transcripción va por el 40 por ciento.',
  },
  {
    skill: 'jobs',
    intent: 'cancel',
    lang: 'es',
    say: 'Cancela mi trabajo',
    answer: 'He cancelado tu trabajo de transcripción.',
  },
];

let h: Harness;
before(async () => {
  h = await startHarness({ timezone: 'UTC', clock: () => new Date(NOW) });
  fakeHub(h);
});
after(() => h.close());

/** The built-in skills' ids by short name (`hivelink-joke.hivelink` → `joke`). */
const IDS = new Map(builtInSkills().map((s) => [s.id.replace(/^hivelink-|\.hivelink$/g, ''), s.id]));

describe('every built-in skill answers in Portuguese and Spanish', () => {
  for (const row of ROWS) {
    it(`${row.skill} (${row.lang}): "${row.say}"`, async () => {
      const turn = await h.say(row.say, {
        lang: row.lang,
        sessionId: `s-${Math.random().toString(36).slice(2)}`,
      });
      const id = IDS.get(row.skill);
      assert.ok(id !== undefined, row.skill);
      assert.ok(types(turn).includes(`${id}:${row.intent}.intent`), `${row.say} → ${types(turn).join(', ')}`);
      const said = spoken(turn).join(' ');
      if (row.answer.endsWith(' ')) assert.ok(said.startsWith(row.answer), said);
      else assert.equal(said, row.answer);
      const speak = turn.find((m) => m.type === 'speak');
      assert.equal(speak?.data.lang, row.lang.replace('_', '-'));
    });
  }

  it('covers every built-in skill in both languages', () => {
    for (const name of IDS.keys()) {
      for (const lang of ['pt', 'es']) {
        assert.ok(
          ROWS.some((r) => r.skill === name && r.lang.toLowerCase().startsWith(lang)),
          `${name} has no ${lang} row`,
        );
      }
    }
  });

  it('every built-in skill has a description, examples for every intent and every dialog in both', () => {
    for (const skill of builtInSkills()) {
      const en = skill.locale?.en;
      assert.ok(en !== undefined, skill.id);
      for (const lang of ['pt', 'es']) {
        const res = skill.locale?.[lang];
        assert.ok(res?.description, `${skill.id} ${lang} description`);
        for (const intent of skill.intents ?? []) {
          if (intent.keywords !== undefined) continue;
          assert.ok((res.intents?.[intent.name]?.length ?? 0) >= 1, `${skill.id} ${lang} ${intent.name}`);
        }
        for (const dialog of Object.keys(en.dialogs ?? {})) {
          assert.ok((res.dialogs?.[dialog]?.length ?? 0) >= 1, `${skill.id} ${lang} dialog ${dialog}`);
        }
      }
    }
  });
});

describe('language selection', () => {
  it('matches the language tag whatever its case, separator and region', async () => {
    for (const lang of ['PT-br', 'pt_PT', 'pt-AO', 'ES-mx', 'es_419']) {
      const said = spoken(await h.say('12 x 7', { lang, sessionId: `r-${lang}` })).join(' ');
      assert.match(
        said,
        lang.toLowerCase().startsWith('pt') ? /^12 vezes 7 dá 84\.$/ : /^12 por 7 son 84\.$/,
        lang,
      );
    }
  });

  it('takes the session language when the utterance names none', async () => {
    // An empty data.lang is no language: the session's decides.
    const again = await h.say('que horas são', {
      sessionId: 'sess-pt2',
      session: { lang: 'pt-PT' },
      lang: '',
    });
    assert.deepEqual(spoken(again), ['São 15:42.']);
  });

  it('answers "language not supported" (in English, with the code and a stable dialog id), not "did not understand"', async () => {
    const turn = await h.say('mitä kello on', { lang: 'fi-FI', sessionId: 'fi' });
    assert.ok(!types(turn).includes('complete_intent_failure'), types(turn).join(', '));
    assert.deepEqual(spoken(turn), ['Sorry, language not supported: fi-FI. I can answer in en, es, pt.']);
    const speak = turn.find((m) => m.type === 'speak')!;
    const meta = speak.data.meta as Record<string, unknown>;
    assert.equal(meta.dialog, LANG_UNSUPPORTED_DIALOG);
    assert.equal(meta.error, LANG_UNSUPPORTED_CODE);
    assert.deepEqual(meta.data, { lang: 'fi-FI', supported: ['en', 'es', 'pt'] });
    assert.equal(types(turn).at(-1), 'ovos.utterance.handled');
  });

  it('still says "did not understand" in a supported language', async () => {
    const turn = await h.say('xyzzy plugh frobnicate', { lang: 'pt-BR', sessionId: 'pt-fail' });
    assert.ok(types(turn).includes('complete_intent_failure'));
    assert.deepEqual(spoken(turn), []);
  });

  it('stops in Portuguese and Spanish', async () => {
    for (const [lang, say] of [
      ['pt', 'pára'],
      ['es', 'cállate'],
    ] as const) {
      assert.ok(types(await h.say(say, { lang, sessionId: `stop-${lang}` })).includes('stop:global'), say);
    }
  });
});
