"""Small hand-made inputs whose projections are worked out by hand in the tests.

Population (wide, ONS layout), 2025 and 2026:
    males 65-69: 1,000 then 1,100; females 65-69: 1,200 both years; males 70-74: 800 both years
Self-care rates: males 65-69 0.1, females 65-69 0.15, males 70-74 0.2
    2025: 100 + 180 + 160 = 440; 2026: 110 + 180 + 160 = 450
"""

POPULATION = b"""AREA_CODE,AREA_NAME,COMPONENT,SEX,AGE_GROUP,2025,2026
E10000999,Demoshire,Population,males,65-69,1000,1100
E10000999,Demoshire,Population,females,65-69,1200,1200
E10000999,Demoshire,Population,males,70-74,800,800
"""
RATES = b"""need,age_band,sex,rate,source,year
self_care,65-69,male,0.1,Health Survey for England,2016
self_care,65-69,female,0.15,Health Survey for England,2016
self_care,70-74,male,0.2,Health Survey for England,2016
"""
MISSING_YEAR = POPULATION.replace(b"males,70-74,800,800", b"males,70-74,800,")
RATE_ABOVE_ONE = RATES.replace(b"0.2,", b"1.2,")
