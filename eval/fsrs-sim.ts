import type { FsrsGrade, FsrsReview } from '../workers/features/mastery/mastery.fsrs';
import { normalDraw, seededRandom } from '../workers/platform/seeded-random';

/**
 * Review logs from a memory process that is not FSRS, so a fit is not judged on its own
 * assumptions: each card has a half-life that depends on the learner's memory and the
 * item's difficulty; recall decays exponentially (FSRS assumes a power law); a recall
 * multiplies the half-life by a gain that shrinks as the half-life grows and rewards
 * harder recalls (spacing), a lapse cuts it to a fraction. Learners review on a rough
 * schedule (about 1, 3, 8, 20, 45 days apart, stretched or shrunk by their habits, with
 * missed days), grade "easy" when it felt certain and "hard" when it was close.
 */
export interface ReviewSimOptions {
  learners: number;
  cardsPerLearner: number;
  reviewsPerCard: number;
  seed: number;
  /** How far learners differ in memory (standard deviation of the log half-life); default 0.5. */
  learnerSpread?: number;
  /** Multiplies every learner's memory (half-lives); default 1. */
  memoryScale?: number;
}

export interface SimulatedLearner {
  id: string;
  cards: FsrsReview[][];
}

const DAY_MS = 86_400_000;
const START = Date.UTC(2026, 0, 5, 9);
const GAPS = [1, 3, 8, 20, 45, 90];

export function simulateReviews(options: ReviewSimOptions): SimulatedLearner[] {
  const random = seededRandom(options.seed);
  const spread = options.learnerSpread ?? 0.5;
  const learners: SimulatedLearner[] = [];
  for (let l = 0; l < options.learners; l++) {
    const memory = (options.memoryScale ?? 1) * Math.exp(spread * normalDraw(random));
    const pace = Math.exp(0.4 * normalDraw(random));
    const cards: FsrsReview[][] = [];
    for (let c = 0; c < options.cardsPerLearner; c++) {
      const difficulty = Math.exp(0.6 * normalDraw(random));
      let halfLife = (4 * memory) / difficulty;
      let at = START + Math.floor(random() * 30) * DAY_MS + Math.floor(random() * 10 * 3_600_000);
      const reviews: FsrsReview[] = [{ at, grade: random() < 0.7 ? 3 : 1 }];
      if (reviews[0]?.grade === 1) halfLife *= 0.5;
      let streak = 0;
      for (let r = 1; r < options.reviewsPerCard; r++) {
        const planned = (GAPS[Math.min(streak, GAPS.length - 1)] ?? 1) * pace;
        const days = Math.max(1, Math.round(planned * (0.7 + 0.8 * random()) + (random() < 0.2 ? 3 * random() : 0)));
        at += days * DAY_MS + Math.floor((random() - 0.5) * 4 * 3_600_000);
        const p = Math.pow(2, -days / halfLife);
        const recalled = random() < p;
        let grade: FsrsGrade = 1;
        if (recalled) grade = p > 0.9 && random() < 0.5 ? 4 : p < 0.6 && random() < 0.5 ? 2 : 3;
        reviews.push({ at, grade });
        if (recalled) {
          halfLife *= 1 + (4 * memory * (1 - p) + 0.8) / Math.pow(halfLife, 0.15) / difficulty;
          streak += 1;
        } else {
          halfLife = Math.max(0.3, halfLife * 0.35);
          streak = 0;
        }
      }
      cards.push(reviews);
    }
    learners.push({ id: `sim-${options.seed}-${l}`, cards });
  }
  return learners;
}
