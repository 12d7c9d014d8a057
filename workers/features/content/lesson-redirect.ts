import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../http/app-env';
import { publicReadLimit } from '../../http/rate-limit';
import { lessonPageHref } from './content.catalog';
import { SlugSchema } from './content.schemas';

/** How long a browser may keep a lesson's old address pointing at its course's (a course can be removed and its slugs pushed in another). */
const REDIRECT_MAX_AGE = 3600;

/**
 * `/lessons/<slug>`, the address of a lesson before the catalog: a 301 to the lesson under
 * its course's address (`/courses/<course>/lessons/<slug>`, query kept; the browser keeps the
 * fragment). A slug no course has gets the lesson page as before, which says so.
 */
async function oldLessonAddress(c: Context<AppEnv>): Promise<Response> {
  const slug = SlugSchema.safeParse(c.req.param('slug'));
  const course = slug.success ? await c.get('deps').content.lessonCourse(slug.data) : null;
  if (!slug.success || course === null) {
    // The page `_redirects` serves these addresses with; a copy, as the asset's headers are immutable.
    const page = await c.env.ASSETS.fetch(new URL('/lesson/', c.req.url));
    return new Response(page.body, page);
  }
  c.header('Cache-Control', `public, max-age=${REDIRECT_MAX_AGE}`);
  return c.redirect(`${lessonPageHref(course, slug.data)}${new URL(c.req.url).search}`, 301);
}

/** The old lesson addresses, served by the Worker before the static assets (see `run_worker_first`). */
export const lessonRedirectRoutes = new Hono<AppEnv>()
  .get('/lessons/:slug', publicReadLimit, oldLessonAddress)
  .get('/lessons/:slug/', publicReadLimit, oldLessonAddress);
