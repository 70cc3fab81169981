//! Charts as SVG, drawn on the server with `plotters`: readable without colour alone — every bar
//! carries its value as text, goals are dashed lines with a label, and each chart has a title.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const BAR: RGBColor = RGBColor(37, 99, 235);
const GOAL: RGBColor = RGBColor(17, 24, 39);
const GRID: RGBColor = RGBColor(229, 231, 235);
const WIDTH: u32 = 640;

/// One horizontal bar: its label, its value (drawn to scale) and the text shown beside it, and an
/// optional goal marked on it.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
    pub goal: Option<f64>,
}

/// Horizontal bars with their values written at their ends; a goal is a dashed tick.
pub fn bars(title: &str, bars: &[Bar], goal_label: &str) -> String {
    let row = 34;
    let height = 30 + row * bars.len().max(1) as u32 + 10;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let _ = root.draw(&Text::new(title.to_string(), (8, 6), ("sans-serif", 15).into_font().color(&GOAL)));
        let scale = bars.iter().flat_map(|b| [b.value, b.goal.unwrap_or(0.0)]).fold(0.0_f64, f64::max).max(1e-9);
        let (left, right) = (190_i32, WIDTH as i32 - 90);
        let span = f64::from(right - left);
        for (i, bar) in bars.iter().enumerate() {
            let top = 30 + (row * i as u32) as i32;
            let label_style = ("sans-serif", 13).into_font().color(&GOAL).pos(Pos::new(HPos::Right, VPos::Center));
            let _ = root.draw(&Text::new(bar.label.clone(), (left - 8, top + 12), label_style));
            let _ = root.draw(&Rectangle::new([(left, top + 2), (right, top + 22)], GRID.filled()));
            let end = left + (span * (bar.value / scale).clamp(0.0, 1.0)) as i32;
            let _ = root.draw(&Rectangle::new([(left, top + 2), (end.max(left + 1), top + 22)], BAR.filled()));
            let value_style = ("sans-serif", 13).into_font().color(&GOAL).pos(Pos::new(HPos::Left, VPos::Center));
            let _ = root.draw(&Text::new(bar.text.clone(), (right + 6, top + 12), value_style));
            if let Some(goal) = bar.goal {
                let x = left + (span * (goal / scale).clamp(0.0, 1.0)) as i32;
                let _ = root.draw(&PathElement::new(vec![(x, top - 2), (x, top + 26)], GOAL.stroke_width(2)));
                let _ = root.draw(&Text::new(
                    goal_label.to_string(),
                    (x + 3, top - 1),
                    ("sans-serif", 10).into_font().color(&GOAL),
                ));
            }
        }
        let _ = root.present();
    }
    svg
}

/// A series over time (weeks or months) as columns, with an optional goal line.
pub fn columns(
    title: &str,
    points: &[(String, f64)],
    goal: Option<(f64, &str)>,
    format: &dyn Fn(f64) -> String,
) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 260)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let max = points.iter().map(|p| p.1).chain(goal.map(|g| g.0)).fold(0.0_f64, f64::max).max(1.0) * 1.15;
        let n = points.len().max(1);
        let built = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(60)
            .build_cartesian_2d((0..n).into_segmented(), 0.0..max);
        let Ok(mut chart) = built else { return String::new() };
        let label_of = |value: &SegmentValue<usize>| match value {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                points.get(*i).map(|p| p.0.clone()).unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        };
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(GRID)
            .x_labels(n.min(13))
            .x_label_formatter(&label_of)
            .y_label_formatter(&|v| format(*v))
            .draw();
        let _ = chart.draw_series(points.iter().enumerate().map(|(i, (_, value))| {
            let mut bar =
                Rectangle::new([(SegmentValue::Exact(i), 0.0), (SegmentValue::Exact(i + 1), *value)], BAR.filled());
            bar.set_margin(0, 0, 4, 4);
            bar
        }));
        if let Some((goal, label)) = goal {
            let _ = chart.draw_series(std::iter::once(PathElement::new(
                vec![(SegmentValue::Exact(0), goal), (SegmentValue::Last, goal)],
                ShapeStyle::from(GOAL).stroke_width(2),
            )));
            let _ = chart.draw_series(std::iter::once(Text::new(
                format!("{label}: {}", format(goal)),
                (SegmentValue::Exact(0), goal + max * 0.03),
                ("sans-serif", 11).into_font().color(&GOAL),
            )));
        }
        let _ = root.present();
    }
    svg
}

/// One line of a [`lines`] chart: its name in the legend, whether it is dashed, and a value per
/// point (none where it has none, e.g. before the first call).
pub struct Line {
    pub name: String,
    pub dashed: bool,
    pub values: Vec<Option<f64>>,
}

const LINE_COLOURS: [RGBColor; 4] = [BAR, RGBColor(220, 38, 38), RGBColor(5, 150, 105), GOAL];

/// Lines over labelled points (weeks of a period), each with its last value written at its end
/// and named in the legend, so the lines are told apart without colour.
pub fn lines(title: &str, labels: &[String], lines: &[Line], format: &dyn Fn(f64) -> String) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 300)).into_drawing_area();
        let _ = root.fill(&WHITE);
        let max = lines.iter().flat_map(|l| l.values.iter().flatten().copied()).fold(0.0_f64, f64::max).max(1.0) * 1.15;
        let n = labels.len().max(1);
        let built = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 15))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(70)
            .build_cartesian_2d(0..n.saturating_sub(1).max(1), 0.0..max);
        let Ok(mut chart) = built else { return String::new() };
        let _ = chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(GRID)
            .x_labels(n.min(14))
            .x_label_formatter(&|i| labels.get(*i).cloned().unwrap_or_default())
            .y_label_formatter(&|v| format(*v))
            .draw();
        for (index, line) in lines.iter().enumerate() {
            let colour = LINE_COLOURS[index % LINE_COLOURS.len()];
            let points: Vec<(usize, f64)> =
                line.values.iter().enumerate().filter_map(|(i, v)| v.map(|v| (i, v))).collect();
            let style = ShapeStyle::from(colour).stroke_width(2);
            let drawn = if line.dashed {
                chart.draw_series(DashedLineSeries::new(points.clone(), 6, 4, style))
            } else {
                chart.draw_series(LineSeries::new(points.clone(), style))
            };
            if let Ok(series) = drawn {
                series.label(line.name.clone()).legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], ShapeStyle::from(colour).stroke_width(2))
                });
            }
            let _ = chart.draw_series(points.iter().map(|&(i, v)| Circle::new((i, v), 3, colour.filled())));
            if let Some(&(i, v)) = points.last() {
                let _ = chart.draw_series(std::iter::once(Text::new(
                    format(v),
                    (i, v),
                    ("sans-serif", 11).into_font().color(&GOAL).pos(Pos::new(HPos::Right, VPos::Bottom)),
                )));
            }
        }
        let _ = chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(GRID)
            .draw();
        let _ = root.present();
    }
    svg
}
