# Prints the reference values workers/features/experiments/experiments.stats.test.ts checks against (SciPy, NumPy): python3 scripts/experiments-reference.py
import numpy as np
from scipy import stats, integrate
rng = np.random.default_rng(7)
a = np.round(rng.normal(10, 3, 40), 2)
b = np.round(rng.normal(11.2, 4.5, 55), 2)
print("A", a.tolist())
print("B", b.tolist())
r = stats.ttest_ind(b, a, equal_var=False)
ci = r.confidence_interval(0.95)
print("welch t", r.statistic, "p", r.pvalue, "df", r.df, "ci", ci.low, ci.high)
# proportions: pooled z == chi2 without correction
t = np.array([[200, 800],[236, 764]])
c2, p, dof, _ = stats.chi2_contingency(t, correction=False)
print("prop p", p)
# srm
print("srm", stats.chisquare([5120, 4880], [5000, 5000]))
print("srm3", stats.chisquare([3400, 3300, 3100], [9800/3]*3))
# beta chance
def chance(s0,n0,s1,n1):
    f1 = stats.beta(1+s1, 1+n1-s1); f0 = stats.beta(1+s0, 1+n0-s0)
    return integrate.quad(lambda x: f1.pdf(x)*f0.cdf(x), 0, 1, limit=500, points=[s0/n0, s1/n1])[0]
print("beta chance", chance(200,1000,236,1000), chance(30,120,33,118))
# cuped
x0 = np.round(rng.normal(5, 2, 60), 2); y0 = np.round(x0*0.8 + rng.normal(1, 1, 60), 2)
x1 = np.round(rng.normal(5, 2, 70), 2); y1 = np.round(x1*0.8 + rng.normal(1.4, 1, 70), 2)
print("X0", x0.tolist()); print("Y0", y0.tolist()); print("X1", x1.tolist()); print("Y1", y1.tolist())
X = np.concatenate([x0,x1]); Y = np.concatenate([y0,y1])
theta = np.cov(X, Y, ddof=1)[0,1] / np.var(X, ddof=1)
adj0 = y0 - theta*(x0 - X.mean()); adj1 = y1 - theta*(x1 - X.mean())
print("theta", theta, "adj means", adj0.mean(), adj1.mean(), "adj vars", adj0.var(ddof=1), adj1.var(ddof=1))
r = stats.ttest_ind(adj1, adj0, equal_var=False); ci = r.confidence_interval(0.95)
print("cuped welch p", r.pvalue, "ci", ci.low, ci.high)
print("t q", stats.t.ppf(0.975, 12.5), "chi2 sf", stats.chi2.sf(7.3, 2))
