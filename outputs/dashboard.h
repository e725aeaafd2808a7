/*
 * dashboard.h: what the dashboard's writer (dashboard.c) and its script
 * (dashboard_script.c) share.  Internal to outputs/.
 */
#ifndef TP_DASHBOARD_H
#define TP_DASHBOARD_H

/* Candidate rows per page of the list: the most its table holds in the DOM. */
#define TP_DASHBOARD_PAGE 50

/* The page's script, run once its data (<script id="tp-data">) is in place. */
extern const char tp_dashboard_script[];

#endif
