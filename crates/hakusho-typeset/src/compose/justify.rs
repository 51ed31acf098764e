//! Setting one line: shrink or stretch to the measure (両端揃え), align, place glyphs.

use std::ops::Range;

use super::classes::{self, Class};
use super::{Align, Item, Line, Prepared};
use crate::page::TextRun;

pub(crate) struct LineCtx {
    pub indent: f32,
    /// Line length after the indent.
    pub avail: f32,
    pub align: Align,
    /// Last line of the paragraph or of a forced-break segment: never stretched.
    pub last: bool,
}

/// Shrink priorities (JLREQ 3.8.3 order, with the line-end blank first as 行末約物半角).
const P_END: usize = 0;
const P_SPACE: usize = 1;
const P_GLUE: usize = 2;
const P_DOT: usize = 3;
const P_PUNCT: usize = 4;
const NP: usize = 5;

fn punct_priority(it: &Item) -> usize {
    if it.class == Class::MiddleDot {
        P_DOT
    } else {
        P_PUNCT
    }
}

/// Whether inter-character stretching may open the gap after `a` (followed by `b`).
fn stretchable_gap(a: &Item, b: &Item) -> bool {
    let both_western = a.class.western() && b.class.western();
    let both_inseparable = a.class == Class::Inseparable && b.class == Class::Inseparable;
    let at_space = a.is_space() || b.is_space();
    let abbreviated_number = classes::numeral_and_abbreviation(a.ch, a.class, b.ch, b.class);
    !(both_western || both_inseparable || at_space || abbreviated_number)
}

/// What a line of items offers for adjustment.
pub(crate) struct Measure {
    /// Glyphs that count (trailing spaces hang): `items[..m]`.
    pub m: usize,
    pub nat: f32,
    /// Shrink capacity per priority.
    pub cap: [f32; NP],
    /// Stretch capacity of word spaces and 和欧間 (each up to a quarter em more).
    pub soft_stretch: f32,
    /// Gaps open to inter-character stretching.
    pub gaps: usize,
    pub em: f32,
}

pub(crate) fn measure(items: &[Item]) -> Measure {
    let m = items
        .iter()
        .rposition(|i| !i.is_space())
        .map_or(0, |x| x + 1);
    let mut nat = 0.0f32;
    let mut cap = [0.0f32; NP];
    let mut soft_stretch = 0.0f32;
    let mut gaps = 0;
    for (j, it) in items[..m].iter().enumerate() {
        if it.is_space() {
            nat += it.adv;
            cap[P_SPACE] += it.adv * 0.5;
            soft_stretch += it.size / 4.0;
        } else {
            let bb = if j == 0 { 0.0 } else { it.bb };
            nat += it.ink() + bb + it.ba;
            cap[punct_priority(it)] += bb;
            if j + 1 == m {
                cap[P_END] += it.ba;
            } else {
                cap[punct_priority(it)] += it.ba;
            }
        }
        if j + 1 < m {
            nat += it.glue;
            cap[P_GLUE] += it.glue * 0.5;
            soft_stretch += it.glue;
            if stretchable_gap(it, &items[j + 1]) {
                gaps += 1;
            }
        }
    }
    let em = items.first().map_or(10.0, |i| i.size);
    Measure {
        m,
        nat,
        cap,
        soft_stretch,
        gaps,
        em,
    }
}

impl Measure {
    /// TeX-like badness (100 r³) of setting this line justified in `avail`. Dropping the line-end
    /// punctuation blank is free (行末約物半角 is ordinary practice); other shrink is measured
    /// against its capacity, inter-character stretch against a quarter em per gap.
    pub fn badness(&self, avail: f32) -> f32 {
        let diff = avail - self.nat;
        let r = if diff < 0.0 {
            let need = -diff - self.cap[P_END];
            let cap: f32 = self.cap[1..].iter().sum();
            if need <= 0.0 {
                0.0
            } else if cap > 0.0 {
                need / cap
            } else {
                10.0
            }
        } else {
            let rest = diff - self.soft_stretch.min(diff);
            let soft = if self.soft_stretch > 0.0 {
                (diff - rest) / self.soft_stretch
            } else {
                0.0
            };
            let hard = if rest <= 0.0 {
                0.0
            } else if self.gaps > 0 {
                rest / self.gaps as f32 / (self.em / 4.0)
            } else {
                10.0
            };
            soft.max(hard)
        };
        100.0 * r * r * r
    }
}

pub(crate) fn set_line(p: &Prepared, r: Range<usize>, ctx: &LineCtx) -> Line {
    let items = &p.items[r.clone()];
    let n = items.len();
    let Measure { m, nat, cap, .. } = measure(items);

    // Fraction of each priority's capacity to take away (shrink), and stretch amounts.
    let mut take = [0.0f32; NP];
    let (mut space_add, mut glue_add, mut gap_add) = (0.0f32, 0.0f32, 0.0f32);
    let mut space_extra_unbounded = 0.0f32;
    let mut all_gaps_add = 0.0f32;
    let justify = ctx.align == Align::Justify;
    let diff = ctx.avail - nat;
    if !justify {
        // Ragged lines drop the line-end punctuation blank: it is invisible, and centring or
        // right-aligning a line with it would push the ink half an em off.
        take[P_END] = 1.0;
        if diff + cap[P_END] < 0.0 {
            shrink(&mut take, &cap, -(diff + cap[P_END]), 1);
        }
    } else if diff < 0.0 {
        shrink(&mut take, &cap, -diff, 0);
    } else if !ctx.last && diff > 0.0 {
        let mut rest = diff;
        let spaces: Vec<f32> = items[..m]
            .iter()
            .filter(|i| i.is_space())
            .map(|i| i.size / 4.0)
            .collect();
        let space_cap: f32 = spaces.iter().sum();
        if space_cap > 0.0 {
            let t = rest.min(space_cap);
            space_add = t / space_cap; // fraction of each space's quarter em
            rest -= t;
        }
        let glue_cap: f32 = items[..m.saturating_sub(1)].iter().map(|i| i.glue).sum();
        if rest > 0.0 && glue_cap > 0.0 {
            let t = rest.min(glue_cap);
            glue_add = t / glue_cap;
            rest -= t;
        }
        if rest > 0.0 {
            let gaps = (0..m.saturating_sub(1))
                .filter(|&j| stretchable_gap(&items[j], &items[j + 1]))
                .count();
            if gaps > 0 {
                gap_add = rest / gaps as f32;
            } else if !spaces.is_empty() {
                space_extra_unbounded = rest / spaces.len() as f32;
            } else if m >= 2 {
                all_gaps_add = rest / (m - 1) as f32;
            }
        }
    }

    // Place the glyphs.
    let mut pen = ctx.indent;
    let mut placed: Vec<(usize, f32)> = Vec::with_capacity(n);
    for (j, it) in items.iter().enumerate() {
        if j >= m {
            // Hanging trailing space: drawn where the line ends, not counted.
            placed.push((j, pen));
            continue;
        }
        if it.is_space() {
            placed.push((j, pen));
            pen += it.adv - it.adv * 0.5 * take[P_SPACE]
                + it.size / 4.0 * space_add
                + space_extra_unbounded;
        } else {
            let pp = punct_priority(it);
            let bb = if j == 0 {
                0.0
            } else {
                it.bb * (1.0 - take[pp])
            };
            let ba_p = if j + 1 == m { P_END } else { pp };
            let ba = it.ba * (1.0 - take[ba_p]);
            placed.push((j, pen - (it.full_bb - bb)));
            pen += bb + it.ink() + ba;
        }
        if j + 1 < m {
            pen += it.glue * (1.0 - 0.5 * take[P_GLUE]) + it.glue * glue_add + all_gaps_add;
            if gap_add > 0.0 && stretchable_gap(it, &items[j + 1]) {
                pen += gap_add;
            }
        }
    }
    let end = ctx.indent + ctx.avail;
    let shift = match ctx.align {
        Align::End => (end - pen).max(0.0),
        Align::Center => ((end - pen) / 2.0).max(0.0),
        Align::Start | Align::Justify => 0.0,
    };
    // A justified full line ends at the measure: snap away f32 accumulation error.
    let width = if justify && !ctx.last && (pen - end).abs() < 0.05 {
        end
    } else {
        pen + shift
    };

    // Runs: consecutive glyphs of one font, size, colour and language.
    let mut runs: Vec<TextRun> = Vec::new();
    let (mut ascent, mut descent) = (0.0f32, 0.0f32);
    let mut cur_font = None;
    for (j, x) in placed {
        let it = &items[j];
        let key = (it.font, it.size.to_bits(), it.color);
        let same = matches!(runs.last(), Some(r) if (r.font, r.size.to_bits(), r.color) == key && r.lang == it.lang);
        if !same {
            let mut run = TextRun::new(it.font, it.size, 0.0, 0.0, it.color);
            run.lang = it.lang.clone();
            runs.push(run);
        }
        if cur_font != Some((it.font, it.size.to_bits())) {
            cur_font = Some((it.font, it.size.to_bits()));
            let f = p_font_metrics(p, it);
            ascent = ascent.max(f.0);
            descent = descent.max(f.1);
        }
        let src = &p.text[it.start..it.end];
        let run = runs.last_mut().expect("run pushed above");
        if it.mark != 0 {
            run.mark_next_glyph(it.mark);
        }
        if src.contains('\n') {
            run.push(it.gid, x + shift, &src.replace('\n', ""));
        } else {
            run.push(it.gid, x + shift, src);
        }
    }
    if runs.is_empty() {
        ascent = p.empty_ascent;
        descent = p.empty_descent;
    }
    let range = if n == 0 {
        let at = p.items.get(r.start).map_or(p.text.len(), |i| i.start);
        at..at
    } else {
        items[0].start..items[n - 1].end
    };
    Line {
        runs,
        width,
        ascent,
        descent,
        last: ctx.last,
        range,
    }
}

fn p_font_metrics(p: &Prepared, it: &Item) -> (f32, f32) {
    let (a, d) = p.metrics[it.font.0];
    (a * it.size, -d * it.size)
}

/// Takes `need` pt from the capacities in priority order starting at `from`, each priority
/// proportionally to its members' capacities.
fn shrink(take: &mut [f32; NP], cap: &[f32; NP], mut need: f32, from: usize) {
    for k in from..NP {
        if need <= 0.0 {
            break;
        }
        if cap[k] > 0.0 {
            let t = need.min(cap[k]);
            take[k] = t / cap[k];
            need -= t;
        }
    }
}
