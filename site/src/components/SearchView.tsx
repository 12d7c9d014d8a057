import { useEffect, useState, type FormEvent } from 'react';
import CourseSelect from './CourseSelect';
import LessonLinks from './LessonLinks';
import { ApiError, getBook, getCatalog, getCourseBook, searchCourse, type SearchHit, type SearchResponse } from '../lib/api';
import {
  highlightSegments,
  LAYERS,
  MAX_QUERY_CHARS,
  moreMatchesNote,
  PAGE_SEARCH_ID,
  plainSnippet,
  readSearchParams,
  refusedQueryMessage,
  resultsHeading,
  SEARCH_PATH,
  searchFilters,
  searchHref,
  type SearchParams,
} from '../lib/search';
import { ErrorNotice, LAYER_NAMES } from './Status';
import { useLoad, type LoadState } from './use-load';

const NO_SEARCH: SearchParams = { q: '', course: null, part: null, layer: null };

/**
 * The search page: a form that mirrors `?q=&course=&part=&layer=` and the ranked results.
 * The course choice shows when the catalog holds more than one; its parts are that course's.
 * Without JavaScript the form still submits to this address; with it, each search
 * and filter change becomes a history entry, so Back returns to the previous results.
 */
export default function SearchView() {
  // null until mounted: the static build and the first client render must match.
  const [params, setParams] = useState<SearchParams | null>(null);
  const [text, setText] = useState('');
  useEffect(() => {
    const follow = () => {
      const next = readSearchParams(window.location.search);
      setParams(next);
      setText(next.q);
    };
    follow();
    window.addEventListener('popstate', follow);
    return () => window.removeEventListener('popstate', follow);
  }, []);

  const current = params ?? NO_SEARCH;
  const course = current.course;
  const book = useLoad(() => (course ? getCourseBook(course) : getBook()), `book:${course ?? ''}`);
  const catalog = useLoad(getCatalog, 'catalog');
  const courses = catalog.state.status === 'ready' ? catalog.state.data.map(({ slug, title }) => ({ slug, title })) : [];
  // A course from the address stays selectable while the catalog loads (or if it fails to).
  if (course && !courses.some((c) => c.slug === course)) courses.push({ slug: course, title: course });
  const results = useLoad(
    () => searchCourse(current.q, { filters: searchFilters(current) }),
    params?.q ? searchHref(params) : null,
  );

  useEffect(() => {
    document.title = current.q ? `“${current.q}” | Search | LearnEdge` : 'Search | LearnEdge';
  }, [current.q]);

  const apply = (next: SearchParams) => {
    const href = searchHref(next);
    if (href !== `${window.location.pathname}${window.location.search}`) window.history.pushState(null, '', href);
    setParams(next);
    setText(next.q);
  };
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    apply({ ...current, q: text.trim() });
  };

  const parts = book.state.status === 'ready' ? book.state.data.parts.map(({ slug, title }) => ({ slug, title })) : [];
  // A part from the address stays selectable while the book loads (or if it fails to).
  if (current.part && !parts.some((p) => p.slug === current.part)) parts.push({ slug: current.part, title: current.part });

  return (
    <div className="search-page">
      <h1 id="search-title">Search the course</h1>
      <form
        role="search"
        aria-labelledby="search-title"
        className="search-form"
        action={SEARCH_PATH}
        method="get"
        onSubmit={submit}
      >
        <label htmlFor={PAGE_SEARCH_ID}>Search for</label>
        <div className="search-form-row">
          <input
            type="search"
            id={PAGE_SEARCH_ID}
            name="q"
            value={text}
            maxLength={MAX_QUERY_CHARS}
            autoComplete="off"
            enterKeyHint="search"
            aria-keyshortcuts="/"
            onChange={(event) => setText(event.target.value)}
          />
          <button type="submit">Search</button>
        </div>
        <div className="search-filters">
          {/* Parts are per course: a new course clears the part. */}
          <CourseSelect
            courses={courses}
            value={course}
            onChange={(next) => apply({ ...current, q: text.trim(), course: next, part: null })}
          />
          <label>
            Part{' '}
            <select
              name="part"
              value={current.part ?? ''}
              onChange={(event) => apply({ ...current, q: text.trim(), part: event.target.value || null })}
            >
              <option value="">All parts</option>
              {parts.map((p) => (
                <option key={p.slug} value={p.slug}>
                  {p.title}
                </option>
              ))}
            </select>
          </label>
          <label>
            Layer{' '}
            <select
              name="layer"
              value={current.layer ?? ''}
              onChange={(event) => {
                const layer = LAYERS.find((l) => l === event.target.value) ?? null;
                apply({ ...current, q: text.trim(), layer });
              }}
            >
              <option value="">All layers</option>
              {LAYERS.map((layer) => (
                <option key={layer} value={layer}>
                  {LAYER_NAMES[layer]}
                </option>
              ))}
            </select>
          </label>
        </div>
      </form>
      <Results
        searching={params !== null && params.q !== ''}
        state={results.state}
        onRetry={results.retry}
        onClearFilters={
          current.course || current.part || current.layer
            ? () => apply({ ...current, course: null, part: null, layer: null })
            : null
        }
      />
    </div>
  );
}

function Results({
  searching,
  state,
  onRetry,
  onClearFilters,
}: {
  searching: boolean;
  state: LoadState<SearchResponse>;
  onRetry: () => void;
  onClearFilters: (() => void) | null;
}) {
  const ready = searching && state.status === 'ready' ? state.data : null;
  return (
    <section className="search-results" aria-labelledby={ready ? 'results-title' : undefined}>
      {/* Always in the page, so the count is announced when it changes. */}
      <div role="status" aria-live="polite" className="search-status">
        {searching && state.status === 'loading' ? <p className="status">Searching…</p> : null}
        {ready ? <h2 id="results-title">{resultsHeading(ready.hits.length, ready.query)}</h2> : null}
      </div>
      {!searching ? <p className="muted">Type a few words to search every lesson of the course.</p> : null}
      {searching && state.status === 'error' ? <SearchError error={state.error} onRetry={onRetry} /> : null}
      {ready && ready.hits.length === 0 ? (
        <p className="muted">
          Nothing in the course matches these words. Check the spelling, or try fewer or other words.{' '}
          {onClearFilters ? (
            <button type="button" className="button-secondary" onClick={onClearFilters}>
              Search everything
            </button>
          ) : null}
        </p>
      ) : null}
      {ready && ready.hits.length === 0 ? (
        <LessonLinks title="Lessons you may be looking for" className="search-suggestions" lessons={ready.suggestions} />
      ) : null}
      {ready && ready.hits.length > 0 ? (
        <ol className="search-hits" aria-labelledby="results-title">
          {ready.hits.map((hit) => (
            <Hit key={hit.chunkId} hit={hit} />
          ))}
        </ol>
      ) : null}
    </section>
  );
}

/** A refused query says what to change (retrying would fail the same way); other failures offer a retry. */
function SearchError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const refused = error instanceof ApiError && error.status === 400 ? refusedQueryMessage(error.problem?.errors) : null;
  return refused ? <ErrorNotice error={new Error(refused)} /> : <ErrorNotice error={error} onRetry={onRetry} />;
}

function Hit({ hit }: { hit: SearchHit }) {
  // The lesson title is the result's heading already; the path shows where in the lesson.
  const path = hit.headingPath[0] === hit.title ? hit.headingPath.slice(1) : hit.headingPath;
  const snippet = plainSnippet(hit.snippet, hit.highlights);
  // Uploaded documents open as files, not lessons: say so before the click.
  const meta = [
    hit.kind === 'source' ? 'Course document' : null,
    hit.page !== null ? `page ${hit.page}` : null,
    moreMatchesNote(hit.moreMatches, hit.kind),
  ].filter((m): m is string => m !== null);
  return (
    <li className="search-hit">
      <h3>
        <a href={hit.href}>{hit.title}</a>
      </h3>
      {path.length > 0 ? (
        <ol className="search-path" aria-label="Section">
          {path.map((heading, i) => (
            <li key={`${i}-${heading}`}>{heading}</li>
          ))}
        </ol>
      ) : null}
      <p className="search-snippet">
        {highlightSegments(snippet.text, snippet.highlights).map((part, i) =>
          part.highlighted ? <mark key={i}>{part.text}</mark> : part.text,
        )}
      </p>
      {meta.length > 0 ? <p className="search-meta">{meta.join(' · ')}</p> : null}
    </li>
  );
}
