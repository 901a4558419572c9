"""Statistics page and CSV exports (audited)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from .. import charts
from ..classify import THEMES, theme_label
from ..deps import (
    SOURCE_LABELS,
    render,
    require_session,
)
from ..security import (
    StaffSession,
)
from ..service import (
    all_requests,
    export_csv,
    statistics,
)
from ..storage import store

router = APIRouter()


@router.get("/statistiques", response_class=HTMLResponse, name="staff_stats")
def stats_page(request: Request, sess: StaffSession = Depends(require_session)) -> HTMLResponse:
    st = statistics()
    theme_data = [(theme_label(t), st["par_theme"].get(t, 0)) for t in THEMES]
    if st["par_theme"].get("non_classee"):
        theme_data.append(("Non classée", st["par_theme"]["non_classee"]))
    arr_data = [(f"{a}e" if a > 1 else "1er", n) for a, n in st["par_arrondissement"].items()]
    week_data = [(w.strftime("%d/%m"), n) for w, n in st["par_semaine"]]
    answer_data = [("Assistant", st["reponses"]["assistant"]), ("Équipe", st["reponses"]["equipe"])]
    source_data = [(SOURCE_LABELS.get(s, s), n) for s, n in sorted(st["par_source"].items())]
    return render(
        request,
        "stats.html",
        user=sess.user,
        csrf=sess.csrf,
        st=st,
        chart_theme=Markup(charts.horizontal_bars(theme_data, "Demandes par thème")),
        chart_arr=Markup(charts.vertical_bars(arr_data, "Demandes par arrondissement")),
        chart_week=Markup(charts.vertical_bars(week_data, "Demandes par semaine (12 dernières semaines)")),
        chart_answers=Markup(
            charts.horizontal_bars(answer_data, "Demandes répondues : assistant ou équipe", color=charts.ALT_COLOR)
        ),
        chart_source=Markup(charts.horizontal_bars(source_data, "Demandes par origine")),
        theme_data=theme_data,
        arr_data=arr_data,
        week_data=week_data,
        answer_data=answer_data,
        source_data=source_data,
    )


def _csv_response(content: str, filename: str) -> Response:
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@router.get("/export.csv", name="staff_export")
def export(sess: StaffSession = Depends(require_session)) -> Response:
    requests = all_requests()
    content = export_csv(requests)
    store().add_audit(sess.user.email, "export", f"export CSV : {len(requests)} demande(s)")
    return _csv_response(content, "demandes-paris-med.csv")


@router.get("/statistiques.csv", name="staff_stats_csv")
def export_stats(sess: StaffSession = Depends(require_session)) -> Response:
    store().add_audit(sess.user.email, "export", "export CSV des statistiques")
    st = statistics()
    lines = ["indicateur;valeur;nombre"]
    lines += [f"theme;{t};{n}" for t, n in sorted(st["par_theme"].items())]
    lines += [f"arrondissement;{a};{n}" for a, n in st["par_arrondissement"].items()]
    lines += [f"semaine;{w.strftime('%Y-%m-%d')};{n}" for w, n in st["par_semaine"]]
    lines += [f"origine;{s};{n}" for s, n in sorted(st["par_source"].items())]
    lines += [f"statut;{s};{n}" for s, n in st["par_statut"].items()]
    lines += [f"repondue_par;{k};{n}" for k, n in st["reponses"].items()]
    return _csv_response("\ufeff" + "\n".join(lines) + "\n", "statistiques-paris-med.csv")
