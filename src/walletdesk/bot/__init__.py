"""The service bot's understanding (NLU): language, intent with calibrated confidence,
out-of-scope rejection, FAQ matching and entities, trained on the team's zh-CN/en catalogue.

Entry points: `understanding.Brain.understand` (one message → `Understanding`),
`artefact.BrainHolder` (the process's model: loaded from the data dir or trained in-process),
`evaluation` (measuring the engine on labelled data) and `cli` (`walletdesk bot ...`).
No SQLAlchemy, no web framework; scikit-learn only while training.
"""
