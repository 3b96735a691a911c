/*
 * study-chart.c - the study-chart command: draws the charts of pprobe's
 * studies from the CSV files their scripts write, as pprobe draws its
 * own. Everything is in study_plot.c, so the unit tests can run it.
 */
#include "study_plot.h"

int main(int argc, char **argv)
{
	return study_chart_main(argc, (const char **)argv);
}
