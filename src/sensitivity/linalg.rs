//! The little linear algebra the rank and regression coefficients need: correlation
//! matrices, ranks and the inverse of a symmetric positive-definite matrix.

/// A square matrix, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Square {
    /// Rows and columns.
    pub n: usize,
    /// The entries, `[i * n + j]`.
    pub a: Vec<f64>,
}

impl Square {
    /// Entry (i, j).
    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.a[i * self.n + j]
    }

    /// The inverse by Gauss–Jordan elimination with partial pivoting; `None` when the
    /// matrix is singular to working precision (a pivot below 1e-12 of the largest
    /// diagonal entry).
    pub fn inverse(&self) -> Option<Square> {
        let n = self.n;
        let mut a = self.a.clone();
        let mut inv = vec![0.0; n * n];
        for i in 0..n {
            inv[i * n + i] = 1.0;
        }
        let scale = (0..n).map(|i| self.at(i, i).abs()).fold(0.0, f64::max);
        for col in 0..n {
            let pivot =
                (col..n).max_by(|&x, &y| a[x * n + col].abs().total_cmp(&a[y * n + col].abs()))?;
            if a[pivot * n + col].abs() <= 1e-12 * scale.max(f64::MIN_POSITIVE) {
                return None;
            }
            if pivot != col {
                for j in 0..n {
                    a.swap(pivot * n + j, col * n + j);
                    inv.swap(pivot * n + j, col * n + j);
                }
            }
            let p = a[col * n + col];
            for j in 0..n {
                a[col * n + j] /= p;
                inv[col * n + j] /= p;
            }
            for r in 0..n {
                if r == col {
                    continue;
                }
                let f = a[r * n + col];
                if f == 0.0 {
                    continue;
                }
                for j in 0..n {
                    a[r * n + j] -= f * a[col * n + j];
                    inv[r * n + j] -= f * inv[col * n + j];
                }
            }
        }
        Some(Square { n, a: inv })
    }
}

/// The correlation matrix of the columns of `cols` (each of the same length); a
/// constant column gets correlation 0 with the others and 1 with itself. The columns
/// are standardised in place (see [`standardise`]), so that no copy of them is made.
pub fn correlation(cols: &mut [Vec<f64>]) -> Square {
    let n = cols.len();
    for c in cols.iter_mut() {
        standardise(c);
    }
    let len = cols.first().map_or(0, Vec::len).max(2) as f64;
    let mut a = vec![0.0; n * n];
    for i in 0..n {
        for j in i..n {
            let r = if i == j {
                1.0
            } else {
                cols[i]
                    .iter()
                    .zip(&cols[j])
                    .map(|(x, y)| x * y)
                    .sum::<f64>()
                    / (len - 1.0)
            };
            a[i * n + j] = r;
            a[j * n + i] = r;
        }
    }
    Square { n, a }
}

/// Replaces `x` by `(x − mean)/sd` (sample sd); by zeros when it is constant.
pub fn standardise(x: &mut [f64]) {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n.max(1.0);
    let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    let sd = var.sqrt();
    for v in x.iter_mut() {
        *v = if sd > 0.0 { (*v - mean) / sd } else { 0.0 };
    }
}

/// Ranks 1..=n, ties sharing their mean rank.
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && x[order[j + 1]] == x[order[i]] {
            j += 1;
        }
        let mean = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = mean;
        }
        i = j + 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverts_a_known_matrix() {
        // [[4, 7], [2, 6]]⁻¹ = [[0.6, −0.7], [−0.2, 0.4]].
        let m = Square {
            n: 2,
            a: vec![4.0, 7.0, 2.0, 6.0],
        };
        let inv = m.inverse().expect("invertible");
        for (got, want) in inv.a.iter().zip([0.6, -0.7, -0.2, 0.4]) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
        let singular = Square {
            n: 2,
            a: vec![1.0, 2.0, 2.0, 4.0],
        };
        assert!(singular.inverse().is_none());
    }

    #[test]
    fn ranks_share_ties() {
        assert_eq!(ranks(&[10.0, 30.0, 20.0, 30.0]), vec![1.0, 3.5, 2.0, 3.5]);
    }

    #[test]
    fn correlation_of_a_line_is_one() {
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| 3.0 - 2.0 * v).collect();
        let c = correlation(&mut [x, y]);
        assert!((c.at(0, 1) + 1.0).abs() < 1e-12);
    }
}
