/* timeseries.h - service and edge statistics over time, for sparklines
 * (GetTimeSeriesServiceStatistics; model layer, decoded by json-in.h).
 */
#ifndef XRAYTOP_TIMESERIES_H
#define XRAYTOP_TIMESERIES_H

#include <stddef.h>

#include "xraytop/svcmap.h"

struct ts_point {
	double		 timestamp;         /* start of the period, epoch seconds */
	struct graph_stats edge;            /* EdgeSummaryStatistics (present 0 when absent) */
	struct graph_stats service;         /* ServiceSummaryStatistics */
	double		 fault_high;        /* ServiceForecastStatistics, -1 when absent */
	double		 fault_low;
	struct graph_hist *histogram;       /* ResponseTimeHistogram */
	size_t		 nhistogram;
};

#endif
