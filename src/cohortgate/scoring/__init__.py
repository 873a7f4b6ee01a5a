"""The rubric's scores: computed indicators with their evidence, the fee estimate and the scorecard
per indicator, dimension and overall.
"""
