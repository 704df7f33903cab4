<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="en">
<context>
    <name>CostView</name>
    <message numerus="yes">
        <location filename="../../netbuilder/gui/cost.py" line="+158"/>
        <source>%n block(s)</source>
        <translation>
            <numerusform>%n block</numerusform>
            <numerusform>%n blocks</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Counted</name>
    <message numerus="yes">
        <location filename="../../netbuilder/gui/i18n.py" line="+232"/>
        <source>Delete %n block(s)</source>
        <translation>
            <numerusform>Delete %n block</numerusform>
            <numerusform>Delete %n blocks</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source> on %n process(es)</source>
        <translation>
            <numerusform> on %n process</numerusform>
            <numerusform> on %n processes</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>Continuing from the current weights: the diagram is unchanged, all %n block(s) with weights keep their training.</source>
        <translation>
            <numerusform>Continuing from the current weights: the diagram is unchanged, all %n block with weights keep their training.</numerusform>
            <numerusform>Continuing from the current weights: the diagram is unchanged, all %n blocks with weights keep their training.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+7"/>
        <source>Imported %n block(s) from {file}</source>
        <translation>
            <numerusform>Imported %n block from {file}</numerusform>
            <numerusform>Imported %n blocks from {file}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>NetBuilder did not close normally. Recover %n unsaved diagram(s)?</source>
        <translation>
            <numerusform>NetBuilder did not close normally. Recover %n unsaved diagram?</numerusform>
            <numerusform>NetBuilder did not close normally. Recover %n unsaved diagrams?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Editor</name>
    <message numerus="yes">
        <location filename="../../netbuilder/gui/editor.py" line="+266"/>
        <source>Move %n block(s)</source>
        <translation>
            <numerusform>Move %n block</numerusform>
            <numerusform>Move %n blocks</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>EvaluationView</name>
    <message numerus="yes">
        <location filename="../../netbuilder/gui/docks/evaluation.py" line="+225"/>
        <source>%n misclassified sample(s) (no pictures to show)</source>
        <translation>
            <numerusform>%n misclassified sample (no pictures to show)</numerusform>
            <numerusform>%n misclassified samples (no pictures to show)</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n misclassified sample(s)</source>
        <translation>
            <numerusform>%n misclassified sample</numerusform>
            <numerusform>%n misclassified samples</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <location filename="../../netbuilder/gui/main_window.py" line="+309"/>
        <source>%n problem(s)</source>
        <translation>
            <numerusform>%n problem</numerusform>
            <numerusform>%n problems</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TrainingWorkspace</name>
    <message numerus="yes">
        <location filename="../../netbuilder/gui/docks/training.py" line="+202"/>
        <source>%n epoch(s)</source>
        <translation>
            <numerusform>%n epoch</numerusform>
            <numerusform>%n epochs</numerusform>
        </translation>
    </message>
</context>
</TS>
