/* Names for the anomaly kinds declared in anomaly.h (static tables only). */
#include "util/anomaly.h"

static const char *const anomaly_names[PH_ANOM_COUNT] = {
#define PH_ANOMALY_NAME(name, text) #name,
	PH_ANOMALY_LIST(PH_ANOMALY_NAME)
#undef PH_ANOMALY_NAME
};

static const char *const anomaly_texts[PH_ANOM_COUNT] = {
#define PH_ANOMALY_TEXT(name, text) text,
	PH_ANOMALY_LIST(PH_ANOMALY_TEXT)
#undef PH_ANOMALY_TEXT
};

const char *ph_anomaly_name(enum ph_anomaly a)
{
	return (unsigned)a < PH_ANOM_COUNT ? anomaly_names[a] : "UNKNOWN";
}

const char *ph_anomaly_text(enum ph_anomaly a)
{
	return (unsigned)a < PH_ANOM_COUNT ? anomaly_texts[a] : "unknown";
}
