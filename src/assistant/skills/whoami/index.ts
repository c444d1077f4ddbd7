/**
 * "Who am I" / "where am I": answers from the asking client's identity in the message context (`context.peer`,
 * `context.client_name`, `context.site_id`, `session.site_id`).
 *
 * @module
 */
import { defineSkill } from '../../skill.js';
import { en } from './locale/en.js';
import { es } from './locale/es.js';
import { pt } from './locale/pt.js';

export const whoamiSkill = defineSkill({
  id: 'hivelink-whoami.hivelink',
  className: 'WhoAmISkill',
  locale: { en, pt, es },
  intents: [
    {
      name: 'who_am_i.intent',
      handler: (ctx) => {
        const { name, site, peer } = ctx.client;
        if (name === undefined) {
          ctx.speakDialog('unknown');
          return;
        }
        const vars = { name, site: site ?? '', peer: peer ?? '' };
        if (site !== undefined && peer !== undefined) ctx.speakDialog('name_site_peer', vars);
        else if (peer !== undefined) ctx.speakDialog('name_peer', vars);
        else if (site !== undefined) ctx.speakDialog('name_site', vars);
        else ctx.speakDialog('name', vars);
      },
    },
    {
      name: 'where_am_i.intent',
      handler: (ctx) => {
        const site = ctx.client.site;
        if (site === undefined) ctx.speakDialog('site_unknown');
        else ctx.speakDialog('site', { site });
      },
    },
  ],
});
