//! `failures.svg`: the cases a class failed most, one horizontal bar each,
//! drawn with `plotters` (its SVG backend: text stays text, for a browser to
//! render, so no font files are needed here).

use plotters::prelude::*;

use crate::class::Failed;

/// The most cases the chart shows: the rest are in `summary.md`.
const SHOWN: usize = 30;
const WIDTH: u32 = 960;
const ROW: u32 = 22;
/// Room for the case names left of the bars.
const LABELS: u32 = 330;
const RUBRIC_RED: RGBColor = RGBColor(200, 70, 60);
const OUTSIDE_GREY: RGBColor = RGBColor(150, 150, 150);

/// The chart as SVG text.
pub fn failures_svg(failures: &[Failed]) -> Result<String, String> {
    let shown = &failures[..failures.len().min(SHOWN)];
    let rows = shown.len().max(1);
    let height = 90 + ROW * rows as u32;
    let most = shown.iter().map(|f| f.by).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        area.fill(&WHITE).map_err(drawing)?;
        let title = if shown.is_empty() {
            "No case was failed by any submission".to_string()
        } else {
            format!(
                "Cases failed, most failed first: the rubric's (red), then the others (grey); top {}",
                shown.len()
            )
        };
        let mut chart = ChartBuilder::on(&area)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(LABELS)
            .build_cartesian_2d(0..most + 1, (0..rows - 1).into_segmented())
            .map_err(drawing)?;
        let name = |value: &SegmentValue<usize>| match value {
            SegmentValue::CenterOf(row) => rows
                .checked_sub(1 + *row)
                .and_then(|i| shown.get(i))
                .map_or(String::new(), |f| f.case.clone()),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows)
            .y_label_formatter(&|row| name(row))
            .x_desc("submissions that failed the case")
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(drawing)?;
        // The most failed case on top: row 0 is at the bottom. A segmented
        // range 0..N has N + 1 segments, hence `rows - 1` above.
        chart
            .draw_series(shown.iter().enumerate().map(|(i, f)| {
                let row = rows - 1 - i;
                let (bottom, top) = (SegmentValue::Exact(row), SegmentValue::Exact(row + 1));
                let colour = if f.in_rubric() {
                    RUBRIC_RED
                } else {
                    OUTSIDE_GREY
                };
                Rectangle::new([(0, bottom), (f.by, top)], colour.filled())
            }))
            .map_err(drawing)?;
        area.present().map_err(drawing)?;
    }
    Ok(svg)
}

fn drawing(e: impl std::fmt::Debug) -> String {
    format!("cannot draw failures.svg: {e:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_case_gets_a_bar_and_its_name() {
        let failed = [
            Failed {
                case: "core/missing-file".to_string(),
                description: String::new(),
                by: 3,
            },
            Failed {
                case: "robustness/bare-cr".to_string(),
                description: String::new(),
                by: 1,
            },
        ];
        let svg = failures_svg(&failed).expect("drawn");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("core/missing-file"));
        assert!(svg.contains("robustness/bare-cr"));
        // One bar in the rubric's colour, one in the others'.
        assert_eq!(svg.matches("fill=\"#C8463C\"").count(), 1, "{svg}");
        assert_eq!(svg.matches("fill=\"#969696\"").count(), 1, "{svg}");
    }
}
