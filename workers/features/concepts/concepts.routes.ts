import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../http/app-env';
import { AppError, problemResponses } from '../../http/problem';
import { validationHook } from '../../http/validation';
import { publicReadLimit } from '../../http/rate-limit';
import { sourceFileUrl } from '../sources/sources.domain';
import { ConceptCourseQuerySchema, ConceptIdParamSchema, ConceptListSchema, ConceptSchema } from './concepts.schemas';
import { askedCourse, lessonPageHref } from '../content/content.catalog';

export const conceptRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
  .openapi(
    createRoute({
      method: 'get',
      path: '/',
      tags: ['Content'],
      summary: 'Concepts the course and its sources teach: those authors named first, then extracted ones; most covered first',
      description:
        "Every course's, or with `course` one course's: a concept slug two courses use is a concept of each, counted with that course's lessons. 404 naming `query/course` for a course the catalog lacks.",
      middleware: [publicReadLimit] as const,
      request: { query: ConceptCourseQuerySchema },
      responses: {
        200: {
          description: 'Concepts',
          content: { 'application/json': { schema: ConceptListSchema } },
        },
        ...problemResponses(400, 404, 429),
      },
    }),
    async (c) => {
      const { course } = c.req.valid('query');
      // A course the catalog lacks is a 404 naming `query/course`.
      const [, concepts] = await Promise.all([
        course === undefined ? null : askedCourse(c.get('deps'), course),
        c.get('deps').concepts.list(course),
      ]);
      return c.json({ concepts }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      tags: ['Content'],
      summary: 'One concept with the lessons and sources that teach it',
      description:
        "With `course`, that course's lessons only and neighbours within it: 404 when none of its lessons teaches the concept, naming `query/course` when the catalog lacks the course. Each lesson's `href` is under its course's address.",
      middleware: [publicReadLimit] as const,
      request: { params: ConceptIdParamSchema, query: ConceptCourseQuerySchema },
      responses: {
        200: { description: 'The concept', content: { 'application/json': { schema: ConceptSchema } } },
        ...problemResponses(400, 404, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { course } = c.req.valid('query');
      const [, concept] = await Promise.all([
        course === undefined ? null : askedCourse(c.get('deps'), course),
        c.get('deps').concepts.get(id, course),
      ]);
      if (!concept) throw new AppError('not_found', course ? `No lesson of ${course} teaches ${id}` : `No concept ${id}`);
      return c.json(
        {
          ...concept,
          lessons: concept.lessons.map((l) => ({
            ...l,
            href: lessonPageHref(l.course, l.id),
          })),
          sources: concept.sources.map((s) => ({ ...s, href: sourceFileUrl(s.id) })),
        },
        200,
      );
    },
  );
