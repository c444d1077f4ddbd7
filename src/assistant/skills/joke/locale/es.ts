import type { SkillLocale } from '../../../skill.js';

export const es: SkillLocale = {
  description: 'contar chistes',
  intents: {
    'joke.intent': [
      '(cuéntame|cuentame|dime|cuenta|di) (un|otro) [buen|buenos] chiste [bueno|corto|gracioso]',
      '(cuéntame|cuentame) otro',
      '(sabes|conoces) (algún|algun|un) chiste [bueno]',
      '(sabes|conoces) (algunos|unos) chistes [buenos]',
      '(quiero|quisiera|me gustaría) (oír|oir|escuchar) un chiste',
      '(hazme|haz me) (reír|reir|sonreír)',
      '(otro|un) chiste [por favor]',
      'chistes',
      '(anímame|animame)',
      '(dime|cuéntame) algo (gracioso|divertido)',
      'estoy (aburrido|aburrida)',
    ],
  },
  dialogs: {
    joke: [
      '¿Qué le dice un techo a otro? Techo de menos.',
      '¿Qué le dijo el cero al ocho? Bonito cinturón.',
      '¿Por qué está triste el libro de matemáticas? Porque tiene muchos problemas.',
      '¿Cuál es el café más peligroso del mundo? El ex-preso.',
      '¿Qué hace una abeja en el gimnasio? ¡Zum-ba!',
      '¿Qué le dice una iguana a su hermana gemela? Somos iguanitas.',
      '¿Cuál es el animal más antiguo? La cebra, porque está en blanco y negro.',
      '¿Por qué las focas miran siempre hacia arriba? Porque ahí están los focos.',
      '¿Cómo se dice pañuelo en japonés? Saka-moko.',
      '¿Qué hace un perro con un taladro? Taladrando.',
    ],
  },
};
