/** How well predicted probabilities of a right answer fit the answers: the figures knowledge-tracing evaluations report. */

export interface PredictionScores {
  auc: number;
  rmse: number;
  logLoss: number;
}

/** Area under the ROC curve by ranks (Mann–Whitney U); tied scores share their average rank. NaN with one class only. */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
  let positives = 0;
  let positiveRankSum = 0;
  for (let start = 0; start < order.length;) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1] ?? 0] === scores[order[start] ?? 0]) end += 1;
    const averageRank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) {
      if (labels[order[k] ?? 0]) {
        positives += 1;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** AUC, RMSE and log-loss of `predictions` against `labels`. */
export function predictionScores(predictions: readonly number[], labels: readonly boolean[]): PredictionScores {
  // Clipped so a skill whose training answers were all right (or all wrong) costs a large but finite loss.
  const clip = (p: number) => Math.min(Math.max(p, 1e-6), 1 - 1e-6);
  let squared = 0;
  let loss = 0;
  predictions.forEach((p, i) => {
    const y = labels[i] ? 1 : 0;
    squared += (p - y) ** 2;
    loss -= y === 1 ? Math.log(clip(p)) : Math.log(1 - clip(p));
  });
  const n = predictions.length;
  return { auc: rocAuc(predictions, labels), rmse: Math.sqrt(squared / n), logLoss: loss / n };
}
