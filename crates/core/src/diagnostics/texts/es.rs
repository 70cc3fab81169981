use super::{Diagnosis, text};
use crate::diagnostics::FlagKind;

pub(super) fn diagnosis(kind: FlagKind) -> Diagnosis {
    match kind {
        FlagKind::FirstAppointmentToNextStepLow => text(
            "Primera cita → siguiente paso por debajo del umbral",
            &[
                "el propósito del siguiente paso no está definido",
                "la primera llamada no se hace al nivel más alto",
                "se vende el producto en la primera cita",
            ],
            &[
                "definir el siguiente paso (demostración, visita, prueba, evaluación …) con reglas de negocio y medirlo",
                "empezar por la autoridad financiera que puede decidir",
                "en la primera cita, presentar los pasos del diagnóstico y comprobar el encaje con los objetivos de negocio del cliente en lugar de vender",
            ],
        ),
        FlagKind::FirstAppointmentToProposalLow => text(
            "Primera cita → propuesta por debajo del umbral",
            &[
                "se contacta por debajo del nivel adecuado más alto",
                "se apunta a empresas que no necesitan la oferta",
                "la primera cita no tiene un propósito definido",
                "un mensaje débil",
                "se vende el servicio en lugar del proceso de diagnóstico y la validación de terceros",
            ],
            &[
                "identificar el nivel de decisión en la cuenta y vender de arriba abajo",
                "afinar el público objetivo",
                "definir y medir el propósito de la primera cita",
            ],
        ),
        FlagKind::ClosingRatioLow => text(
            "Tasa de cierre por debajo del umbral",
            &[
                "se desconocen el proceso y los criterios de decisión",
                "no hay fecha para la próxima reunión",
                "faltan los responsables de la decisión en las reuniones",
            ],
            &[
                "preguntar por el proceso de decisión, los criterios y los participantes",
                "fijar la fecha de la segunda cita antes de salir de la primera",
                "llevar a todos los responsables de la decisión a la próxima cita",
                "enumerar los factores de riesgo de cada participante con una estrategia",
                "usar referencias del sector del cliente",
            ],
        ),
        FlagKind::BarometerLow => text(
            "Barómetro de actividad por debajo del 100 %",
            &["demasiado pocas conversaciones se convierten en citas"],
            &[
                "hacer de conversación → cita una habilidad entrenada y medida",
                "vender razones de negocio para reunirse, no el producto",
            ],
        ),
        FlagKind::RevenuePerSaleBelowPeers => text(
            "Ingreso medio por venta muy por debajo de los compañeros: se deja dinero sobre la mesa",
            &["dinero que se queda sobre la mesa"],
            &[
                "revisar descuentos, alcance de las operaciones y mezcla de líneas de producto frente a los compañeros",
                "contactar más arriba en la cuenta",
            ],
        ),
        FlagKind::CycleShorterThanPeers => text(
            "Ciclo de venta mucho más corto que el de los compañeros: una buena práctica",
            &["una buena práctica"],
            &["compartir con el equipo cómo lleva este vendedor el ciclo"],
        ),
        FlagKind::BehindPlan => text(
            "Cumplimiento por debajo de la cuota prorrateada",
            &["por detrás del plan"],
            &["comparar la cobertura del pipeline y el número mágico", "aumentar los objetivos semanales de actividad"],
        ),
    }
}
