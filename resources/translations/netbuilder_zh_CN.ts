<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AddBlockPopup</name>
    <message>
        <location filename="../../netbuilder/gui/canvas/add_popup.py" line="+46"/>
        <source>Add block… (type to search)</source>
        <translation>添加模块…（输入以搜索）</translation>
    </message>
</context>
<context>
    <name>Autosaver</name>
    <message>
        <location filename="../../netbuilder/gui/recovery.py" line="+178"/>
        <source>Autosave for crash recovery failed: {reason}</source>
        <translation>用于崩溃恢复的自动保存失败：{reason}</translation>
    </message>
</context>
<context>
    <name>Breadcrumb</name>
    <message>
        <location filename="../../netbuilder/gui/subblocks/breadcrumb.py" line="+30"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Back to the enclosing network (Esc, Alt+Up)</source>
        <translation>返回外层网络（Esc，Alt+Up）</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Go back to {name}</source>
        <translation>返回 {name}</translation>
    </message>
</context>
<context>
    <name>Clipboard</name>
    <message>
        <location filename="../../netbuilder/gui/clipboard.py" line="+24"/>
        <source>the clipboard does not hold NetBuilder blocks</source>
        <translation>剪贴板中没有 NetBuilder 模块</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>the clipboard does not hold NetBuilder blocks ({reason})</source>
        <translation>剪贴板中没有 NetBuilder 模块（{reason}）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>the copied blocks are damaged (nodes/edges are not lists)</source>
        <translation>复制的模块已损坏（nodes/edges 不是列表）</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>the copied blocks cannot be pasted: {reason}</source>
        <translation>无法粘贴复制的模块：{reason}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>the clipboard is empty</source>
        <translation>剪贴板为空</translation>
    </message>
</context>
<context>
    <name>Commands</name>
    <message>
        <location filename="../../netbuilder/gui/commands.py" line="+37"/>
        <source>Add {type}</source>
        <translation>添加 {type}</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Connect {source} → {target}</source>
        <translation>连接 {source} → {target}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Disconnect {source} → {target}</source>
        <translation>断开 {source} → {target}</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Set {node}.{param}</source>
        <translation>设置 {node}.{param}</translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Rename {node}</source>
        <translation>重命名 {node}</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Move</source>
        <translation>移动</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Paste</source>
        <translation>粘贴</translation>
    </message>
</context>
<context>
    <name>CostOverlay</name>
    <message>
        <location filename="../../netbuilder/gui/canvas/cost_overlay.py" line="+52"/>
        <source>&amp;FLOPs</source>
        <translation>浮点运算量(&amp;F)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Parameters</source>
        <translation>参数(&amp;P)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Activation Memory</source>
        <translation>激活内存(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Measured &amp;Time</source>
        <translation>实测时间(&amp;T)</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>not timed: the diagram has problems</source>
        <translation>未计时：网络图有问题</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>timing failed: {why}</source>
        <translation>计时失败：{why}</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Show &amp;Cost</source>
        <extracomment>whether this window is training: timing then waits (it would slow the run, be slowed by it, and reseeding torch&apos;s global generator would disturb its numbers)</extracomment>
        <translation>显示开销(&amp;C)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Tint every block by its share of the network&apos;s cost, figure on the block</source>
        <translation>按每个模块占整个网络开销的比例给它着色，并在模块上标出数值</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Cost &amp;Metric</source>
        <translation>开销指标(&amp;M)</translation>
    </message>
    <message>
        <location line="+100"/>
        <source>not profiled</source>
        <translation>未分析</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>measured when the training run ends</source>
        <translation>训练结束后再测量</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>being measured …</source>
        <translation>正在测量……</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no time of its own (it runs inside another operation)</source>
        <translation>没有单独的时间（它在另一个运算内部运行）</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>{name} of &apos;{block}&apos;: {figure}, {share} of the total {total}</source>
        <translation>“{block}”的{name}：{figure}，占总量 {total} 的 {share}</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{name} of &apos;{block}&apos; is unknown: {why}</source>
        <translation>“{block}”的{name}未知：{why}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>forward + backward at batch {batch} on {device}</source>
        <translation>前向 + 反向，批大小 {batch}，设备 {device}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>per sample; matrix products, convolutions and attention are counted (a multiply-add is 2 FLOPs), element-wise layers count 0</source>
        <translation>按每个样本计；统计矩阵乘法、卷积和注意力（一次乘加算 2 FLOPs），逐元素的层计为 0</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>its output, per sample</source>
        <translation>它的输出，按每个样本计</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>total: {total}</source>
        <translation>总计：{total}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>measuring …</source>
        <translation>正在测量 …</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(batch {batch}, {device})</source>
        <translation>（批大小 {batch}，{device}）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{n} block(s) {dash}: hover the badge for why</source>
        <translation>{n} 个模块 {dash}：把鼠标悬停在标记上查看原因</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} per block</source>
        <translation>每个模块的{name}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>fwd+bwd {ms} at batch {batch}</source>
        <translation>前向+反向 {ms}，批大小 {batch}</translation>
    </message>
</context>
<context>
    <name>CostView</name>
    <message>
        <location filename="../../netbuilder/gui/cost.py" line="+128"/>
        <source>&lt;b&gt;Cost&lt;/b&gt;: {dash} &lt;i&gt;({reason})&lt;/i&gt;</source>
        <translation>&lt;b&gt;开销&lt;/b&gt;：{dash} &lt;i&gt;（{reason}）&lt;/i&gt;</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&lt;b&gt;Cost per sample&lt;/b&gt;&lt;br&gt;forward FLOPs: &lt;b&gt;{flops}&lt;/b&gt; ({share} of the network)&lt;br&gt;weights: {weights} &amp;nbsp; output: {output}&lt;br&gt;kept for backward: {saved}</source>
        <translation>&lt;b&gt;每个样本的开销&lt;/b&gt;&lt;br&gt;前向 FLOPs：&lt;b&gt;{flops}&lt;/b&gt;（占整个网络的 {share}）&lt;br&gt;权重：{weights} &amp;nbsp; 输出：{output}&lt;br&gt;为反向传播保留：{saved}</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>{flops}FLOPs/sample</source>
        <translation>{flops}FLOPs/样本</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>training memory {size} at batch {batch}</source>
        <translation>训练内存 {size}（批大小 {batch}）</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>%n block(s)</source>
        <translation>
            <numerusform>%n 个模块</numerusform>
        </translation>
    </message>
    <message>
        <location line="+11"/>
        <source>weights {weights}, gradients {gradients}, optimizer {optimizer}, activations {activations}, workspace {workspace}</source>
        <translation>权重 {weights}，梯度 {gradients}，优化器 {optimizer}，激活值 {activations}，工作区 {workspace}</translation>
    </message>
</context>
<context>
    <name>Counted</name>
    <message numerus="yes">
        <location filename="../../netbuilder/gui/i18n.py" line="+232"/>
        <source>Delete %n block(s)</source>
        <translation>
            <numerusform>删除 %n 个模块</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source> on %n process(es)</source>
        <translation>
            <numerusform>，使用 %n 个进程</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>Continuing from the current weights: the diagram is unchanged, all %n block(s) with weights keep their training.</source>
        <translation>
            <numerusform>从当前权重继续：网络图未改动，全部 %n 个带权重的模块保留已训练的结果。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+7"/>
        <source>Imported %n block(s) from {file}</source>
        <translation>
            <numerusform>已从 {file} 导入 %n 个模块</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>NetBuilder did not close normally. Recover %n unsaved diagram(s)?</source>
        <translation>
            <numerusform>NetBuilder 上次没有正常关闭。要恢复 %n 个未保存的网络图吗？</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DatasetOptions</name>
    <message>
        <location filename="../../netbuilder/gui/docks/dataset_options.py" line="+29"/>
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>input size</source>
        <translation>输入尺寸</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>auto</source>
        <translation>自动</translation>
    </message>
</context>
<context>
    <name>DatasetPicker</name>
    <message>
        <location filename="../../netbuilder/gui/docks/training_data.py" line="+47"/>
        <source>Image folder…</source>
        <translation>图像文件夹…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CSV file…</source>
        <translation>CSV 文件…</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>Refresh preview</source>
        <extracomment>Emitted after the preview (re)loaded: (DataBundle or None, error text).</extracomment>
        <translation>刷新预览</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Target column</source>
        <translation>目标列</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Feature columns</source>
        <translation>特征列</translation>
    </message>
    <message>
        <location line="+63"/>
        <source>Image folder (one subfolder per class)</source>
        <translation>图像文件夹（每个类别一个子文件夹）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Table</source>
        <translation>表格</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Tables (*.csv *.tsv *.txt);;All files (*)</source>
        <translation>表格 (*.csv *.tsv *.txt);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+92"/>
        <source>Loading {dataset} …</source>
        <translation>正在加载 {dataset} …</translation>
    </message>
</context>
<context>
    <name>DiagramView</name>
    <message>
        <location filename="../../netbuilder/gui/canvas/view.py" line="+39"/>
        <source>Network canvas</source>
        <translation>网络画布</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Blocks and the wires between them. Tab: add a block. Ctrl+Tab / Ctrl+Shift+Tab: move to the next / previous panel. Delete: remove the selection. Ctrl+0: fit the view.</source>
        <translation>模块及其之间的连线。Tab：添加模块。Ctrl+Tab / Ctrl+Shift+Tab：切换到下一个/上一个面板。Delete：删除所选内容。Ctrl+0：适合视图。</translation>
    </message>
</context>
<context>
    <name>Editor</name>
    <message>
        <location filename="../../netbuilder/gui/editor.py" line="+86"/>
        <source>Add {type}</source>
        <translation>添加 {type}</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{type} has no input to wire into</source>
        <translation>{type} 没有可连接的输入</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{type} has no output to wire from</source>
        <translation>{type} 没有可连出的输出</translation>
    </message>
    <message>
        <location line="+20"/>
        <location line="+26"/>
        <source>Insert {type}</source>
        <translation>插入 {type}</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Connect {source} → {target}</source>
        <translation>连接 {source} → {target}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>a block cannot be wired to itself</source>
        <translation>模块不能连接到自身</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{type} has no output {port}</source>
        <translation>{type} 没有输出 {port}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{type} has no input {port}</source>
        <translation>{type} 没有输入 {port}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Reconnect</source>
        <translation>重新连接</translation>
    </message>
    <message numerus="yes">
        <location line="+38"/>
        <source>Move %n block(s)</source>
        <translation>
            <numerusform>移动 %n 个模块</numerusform>
        </translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Auto-layout</source>
        <translation>自动布局</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Cut</source>
        <translation>剪切</translation>
    </message>
    <message>
        <location line="+81"/>
        <source>Duplicate</source>
        <translation>复制一份</translation>
    </message>
    <message>
        <location line="-46"/>
        <source>the sub-block {name} cannot be pasted inside itself</source>
        <translation>子模块 {name} 不能粘贴到它自身里面</translation>
    </message>
</context>
<context>
    <name>EvaluationView</name>
    <message>
        <location filename="../../netbuilder/gui/docks/evaluation.py" line="+36"/>
        <source>Train a model to see how it does on the validation set.</source>
        <translation>训练一个模型，查看它在验证集上的表现。</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>class</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>precision</source>
        <translation>精确率</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>recall</source>
        <translation>召回率</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>rows: true class · columns: predicted class</source>
        <translation>行：真实类别 · 列：预测类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>predicted vs true</source>
        <translation>预测值与真实值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>true</source>
        <translation>真实值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>predicted</source>
        <translation>预测值</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Misclassified samples</source>
        <translation>分类错误的样本</translation>
    </message>
    <message>
        <location line="+70"/>
        <source> · loss {loss}</source>
        <translation> · 损失 {loss}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Validation accuracy {accuracy} ({correct} of {total} correct)</source>
        <translation>验证准确率 {accuracy}（{total} 个中正确 {correct} 个）</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>predicted {name}</source>
        <translation>预测为 {name}</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>true {true}, predicted {predicted}: {count}</source>
        <translation>真实 {true}，预测 {predicted}：{count}</translation>
    </message>
    <message>
        <location line="+17"/>
        <source> (first {count})</source>
        <translation>（前 {count} 个）</translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>%n misclassified sample(s) (no pictures to show)</source>
        <translation>
            <numerusform>%n 个分类错误的样本（没有可显示的图片）</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n misclassified sample(s)</source>
        <translation>
            <numerusform>%n 个分类错误的样本</numerusform>
        </translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Validation MSE {mse} · MAE {mae} · {count} values</source>
        <translation>验证 MSE {mse} · MAE {mae} · {count} 个值</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Validation loss {loss}</source>
        <translation>验证损失 {loss}</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/docks/evaluation_samples.py" line="+59"/>
        <source>validation sample {index}: true {true}, predicted {predicted}</source>
        <translation>验证样本 {index}：真实 {true}，预测 {predicted}</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <location filename="../../netbuilder/gui/export_dialog.py" line="+39"/>
        <source>Each export is reloaded and compared with the model here.</source>
        <translation>每次导出都会重新加载，并与这里的模型比对。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>torch.export program (.pt2)</source>
        <translation>torch.export 程序（.pt2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ONNX model (.onnx)</source>
        <translation>ONNX 模型（.onnx）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Python source + weights (model.py, model_weights.pt)</source>
        <translation>Python 源码 + 权重（model.py、model_weights.pt）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>there is no trained model yet: train the network or open a .pt</source>
        <translation>还没有训练好的模型：请先训练网络或打开一个 .pt 文件</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>the diagram changed since training and {problem}; train again (or undo the edits) before exporting</source>
        <translation>训练之后网络图已改动，并且{problem}；请重新训练（或撤销改动）后再导出</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Export trained model</source>
        <translation>导出训练好的模型</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>{format} — needs {packages}</source>
        <translation>{format} — 需要 {packages}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Install with: {command}</source>
        <translation>安装方法：{command}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Bake the input normalisation into the graph</source>
        <translation>把输入归一化固化到计算图中</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>On: the exported graph takes raw inputs (0..1 pixels, raw column values) and normalises them itself. Off: it takes normalised inputs; the statistics are stored beside it. Python exports always get preprocess() and predict().</source>
        <translation>开启：导出的计算图接收原始输入（0..1 的像素、原始列值），自行归一化。关闭：它接收已归一化的输入，统计量另存一旁。Python 导出总会带有 preprocess() 和 predict()。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Check the accuracy on raw validation samples</source>
        <translation>用原始验证样本检查准确率</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Reload the training data and require the export, given raw inputs as its documentation says, to score exactly like the model here</source>
        <translation>重新加载训练数据，要求导出结果按其文档所述接收原始输入时，得分与这里的模型完全一致</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save to:</source>
        <translation>保存到：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Inputs:</source>
        <translation>输入：</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Load with torch.export.load(path).module(); batch size is free.</source>
        <translation>用 torch.export.load(path).module() 加载；批大小不受限制。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Runs in onnxruntime and other ONNX tools; batch size is free.</source>
        <translation>可在 onnxruntime 及其他 ONNX 工具中运行；批大小不受限制。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Writes model.py and model_weights.pt: from model import load_model.</source>
        <translation>写出 model.py 和 model_weights.pt：from model import load_model。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Needs {packages}: {command}</source>
        <translation>需要 {packages}：{command}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Export to</source>
        <translation>导出到</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>choose where to save the export</source>
        <translation>请选择导出文件的保存位置</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Exporting and verifying {format}…</source>
        <translation>正在导出并验证 {format}…</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Exported and verified.
Largest difference from the model here: {difference} (tolerance {tolerance}).</source>
        <translation>已导出并通过验证。
与这里的模型的最大差异：{difference}（容差 {tolerance}）。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Verification failed</source>
        <translation>验证失败</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cannot export</source>
        <translation>无法导出</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Export the trained network for use without NetBuilder</source>
        <translation>导出训练好的网络，无需 NetBuilder 即可使用</translation>
    </message>
</context>
<context>
    <name>FileActions</name>
    <message>
        <location filename="../../netbuilder/gui/files.py" line="+27"/>
        <source>NetBuilder diagrams (*.nbd);;Trained models (*.pt);;All files (*)</source>
        <translation>NetBuilder 网络图 (*.nbd);;训练好的模型 (*.pt);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>Unsaved trained model</source>
        <translation>训练好的模型尚未保存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The network trained in this window is not saved yet. Save it as a .pt checkpoint first (weights, optimizer state and metrics)?</source>
        <translation>在此窗口中训练的网络还没有保存。要先把它保存为 .pt 检查点（权重、优化器状态和指标）吗？</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save the changes to {name} first?</source>
        <translation>要先保存对 {name} 的更改吗？</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cannot open</source>
        <translation>无法打开</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Save As</source>
        <translation>另存为</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>NetBuilder diagrams (*.nbd)</source>
        <translation>NetBuilder 网络图 (*.nbd)</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Save Trained Model ({name})</source>
        <translation>保存训练好的模型（{name}）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Trained models (*.pt)</source>
        <translation>训练好的模型 (*.pt)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Cannot save the trained model</source>
        <translation>无法保存训练好的模型</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Saved the trained model ({name}) to {path}</source>
        <translation>已将训练好的模型（{name}）保存到 {path}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Cannot save</source>
        <translation>无法保存</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
</context>
<context>
    <name>FitVerdict</name>
    <message>
        <location filename="../../netbuilder/gui/docks/training_insight.py" line="+66"/>
        <source>Memory: about {total} per training step at batch {batch} on {device} (free memory unknown).</source>
        <translation>内存：批大小 {batch} 时每个训练步约需 {total}，设备 {device}（空闲内存未知）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Memory: about {total} per training step at batch {batch}, fits in {free} free on {device}.</source>
        <translation>内存：批大小 {batch} 时每个训练步约需 {total}，{device} 上空闲的 {free} 足够。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>⚠ Memory: about {total} per training step at batch {batch} may not fit in {free} free on {device}; training can still start.</source>
        <translation>⚠ 内存：批大小 {batch} 时每个训练步约需 {total}，{device} 上空闲的 {free} 可能不够；仍可开始训练。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Largest batch that fits: {largest}.</source>
        <translation>能放下的最大批大小：{largest}。</translation>
    </message>
</context>
<context>
    <name>Gestures</name>
    <message>
        <location filename="../../netbuilder/gui/canvas/gestures.py" line="+28"/>
        <source>the wire would make a loop (data flowing back into its own source)</source>
        <translation>这条连线会形成环路（数据流回它自己的来源）</translation>
    </message>
    <message>
        <location line="+169"/>
        <source>Does not fit: {problem}</source>
        <extracomment>why the port under the loose end refuses the wire (None: fits, or no port there)</extracomment>
        <translation>无法连接：{problem}</translation>
    </message>
</context>
<context>
    <name>GradientFlowChart</name>
    <message>
        <location filename="../../netbuilder/gui/docks/gradient_flow.py" line="+67"/>
        <source>gradient norm</source>
        <extracomment>Earlier samples drawn behind the latest one (the newest of them).</extracomment>
        <translation>梯度范数</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>update / weight</source>
        <translation>更新量 / 权重</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>≈1e-3 healthy</source>
        <translation>≈1e-3 为健康</translation>
    </message>
    <message>
        <location line="+55"/>
        <source>Gradient health appears here while a run trains: per block, the gradient norm and the update/weight ratio.</source>
        <translation>训练进行时，这里显示梯度健康状况：每个模块的梯度范数和更新量/权重之比。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{run}: no gradient figures recorded.</source>
        <translation>{run}：没有记录梯度数据。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>per-epoch means (epoch {n})</source>
        <translation>每轮平均值（第 {n} 轮）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>step {n}</source>
        <translation>第 {n} 步</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{run}, {where}: bold is the latest, faint the earlier samples</source>
        <translation>{run}，{where}：粗线为最新，浅色为较早的采样</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{run}, {where}: every figure is NaN/Inf, nothing to plot</source>
        <translation>{run}，{where}：所有数值都是 NaN/Inf，无法绘图</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>⚠ {block}: {kind} from step {step}</source>
        <translation>⚠ {block}：从第 {step} 步起{kind}</translation>
    </message>
    <message>
        <location line="+58"/>
        <source>gradients vanished</source>
        <translation>梯度消失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>gradients exploded</source>
        <translation>梯度爆炸</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>output became NaN/Inf</source>
        <translation>输出变为 NaN/Inf</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>gradients became NaN/Inf</source>
        <translation>梯度变为 NaN/Inf</translation>
    </message>
</context>
<context>
    <name>HealthOverlay</name>
    <message>
        <location filename="../../netbuilder/gui/canvas/health_overlay.py" line="+39"/>
        <source>NaN @{step}</source>
        <translation>NaN @{step}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Block &apos;{block}&apos;: its output became NaN/Inf at step {step}, the first block to do so.</source>
        <translation>模块 &apos;{block}&apos;：其输出在第 {step} 步变为 NaN/Inf，是第一个出现这种情况的模块。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>NaN grad @{step}</source>
        <translation>NaN 梯度 @{step}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Block &apos;{block}&apos;: its gradients became NaN/Inf at step {step}.</source>
        <translation>模块 &apos;{block}&apos;：其梯度在第 {step} 步变为 NaN/Inf。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>explode @{step}</source>
        <translation>爆炸 @{step}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Block &apos;{block}&apos;: gradients exploded from step {step} (lower the learning rate, add normalization or clip gradients).</source>
        <translation>模块 &apos;{block}&apos;：从第 {step} 步起梯度爆炸（请降低学习率、加入归一化层或裁剪梯度）。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>vanish @{step}</source>
        <translation>消失 @{step}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Block &apos;{block}&apos;: gradients vanished from step {step} (this block barely learns: check activations, initialization or depth).</source>
        <translation>模块 &apos;{block}&apos;：从第 {step} 步起梯度消失（这个模块几乎学不到东西：请检查激活函数、初始化或网络深度）。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Show Gradient &amp;Health</source>
        <translation>显示梯度健康状况(&amp;H)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Mark blocks whose gradients vanished or exploded, or whose output went NaN</source>
        <translation>标出梯度消失或爆炸、或输出出现 NaN 的模块</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>The gradients of {blocks} went NaN/Inf through it.</source>
        <translation>{blocks} 的梯度因它而变为 NaN/Inf。</translation>
    </message>
    <message>
        <source>run {run}</source>
        <translation type="vanished">第 {run} 次运行</translation>
    </message>
</context>
<context>
    <name>HealthView</name>
    <message>
        <location filename="../../netbuilder/gui/health_view.py" line="+159"/>
        <source>block &apos;{block}&apos;: gradients vanished (norm {value}) from step {step}</source>
        <extracomment>Samples kept per block for the chart&apos;s history (the newest; older ones are dropped). the block whose output first went NaN/Inf when the run failed, and the step</extracomment>
        <translation>模块 &apos;{block}&apos;：从第 {step} 步起梯度消失（范数 {value}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>block &apos;{block}&apos;: gradients exploded (norm {value}) from step {step}</source>
        <translation>模块 &apos;{block}&apos;：从第 {step} 步起梯度爆炸（范数 {value}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>block &apos;{block}&apos;: gradients became NaN/Inf from step {step}</source>
        <translation>模块 &apos;{block}&apos;：从第 {step} 步起梯度变为 NaN/Inf</translation>
    </message>
    <message>
        <location line="+82"/>
        <source>health: </source>
        <translation>健康状况：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>health: block &apos;{block}&apos; is the first whose output became NaN/Inf</source>
        <translation>健康状况：模块 &apos;{block}&apos; 是第一个输出变为 NaN/Inf 的模块</translation>
    </message>
</context>
<context>
    <name>ImageExport</name>
    <message>
        <location filename="../../netbuilder/gui/canvas/image_export.py" line="+65"/>
        <source>choose a .png or .svg file name</source>
        <translation>请选择 .png 或 .svg 文件名</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>NetBuilder diagram</source>
        <translation>NetBuilder 网络图</translation>
    </message>
    <message>
        <location line="+4"/>
        <location line="+6"/>
        <source>cannot write here</source>
        <translation>无法写入此处</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>the picture would be too large; use --scale 1 or SVG</source>
        <translation>图片会过大；请使用 --scale 1 或 SVG</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>cannot write the PNG file here</source>
        <translation>无法在此处写入 PNG 文件</translation>
    </message>
</context>
<context>
    <name>ImportActions</name>
    <message>
        <location filename="../../netbuilder/gui/import_dialog.py" line="+60"/>
        <source>Networks (*.py *.pt2 *.onnx *.mmd *.mermaid *.md);;PyTorch module (*.py);;torch.export program (*.pt2);;ONNX model (*.onnx);;Mermaid flowchart (*.mmd *.mermaid *.md);;All files (*)</source>
        <translation>网络 (*.py *.pt2 *.onnx *.mmd *.mermaid *.md);;PyTorch 模块 (*.py);;torch.export 程序 (*.pt2);;ONNX 模型 (*.onnx);;Mermaid 流程图 (*.mmd *.mermaid *.md);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+144"/>
        <source>&amp;Import…</source>
        <extracomment>the Problems rows of an import&apos;s notes (``ProblemsList.set_extra`` source)</extracomment>
        <translation>导入(&amp;I)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Bring in a PyTorch module (runs its code), a .pt2, an ONNX model or a Mermaid chart</source>
        <translation>导入 PyTorch 模块（会运行其代码）、.pt2、ONNX 模型或 Mermaid 流程图</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Import Repeated Modules as Sub-&amp;blocks</source>
        <translation>将重复的 PyTorch 模块导入为子模块(&amp;B)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>When importing, make one sub-block definition of the calls of a module class that are wired alike (ResNet&apos;s BasicBlock); off: plain blocks only</source>
        <translation>导入时，把同一个 PyTorch 模块类中连接方式相同的各次调用做成一个子模块定义（如 ResNet 的 BasicBlock）；关闭时只导入普通模块</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Mermaid Flowchart…</source>
        <translation>Mermaid 流程图(&amp;M)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Write the diagram as a Mermaid flowchart (graph LR)</source>
        <translation>把网络图写成 Mermaid 流程图（graph LR）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Import a network</source>
        <translation>导入网络</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>The import failed unexpectedly ({reason}).</source>
        <translation>导入意外失败（{reason}）。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>; outputs match the original (largest difference {difference})</source>
        <translation>；输出与原模型一致（最大差异 {difference}）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>; {definitions} sub-block definition(s) made from repeated modules, {uses} use(s): {which}</source>
        <translation>；由重复的 PyTorch 模块生成了 {definitions} 个子模块定义，共 {uses} 处使用：{which}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>From the import of {file}</source>
        <translation>来自 {file} 的导入</translation>
    </message>
    <message>
        <location line="+56"/>
        <location line="+26"/>
        <source>Cannot import</source>
        <translation>无法导入</translation>
    </message>
    <message>
        <location line="-22"/>
        <source>{file} cannot be imported: {reason}</source>
        <translation>无法导入 {file}：{reason}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>… and {count} more (see the details)</source>
        <translation>……另有 {count} 项（见详细信息）</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Export Mermaid flowchart</source>
        <translation>导出 Mermaid 流程图</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Cannot export</source>
        <translation>无法导出</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Exported {path}</source>
        <translation>已导出 {path}</translation>
    </message>
    <message>
        <location line="-166"/>
        <source>Import of {file} cancelled</source>
        <translation>已取消导入 {file}</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>Importing {file}: reading it, mapping each node to a block and checking the outputs against the original…</source>
        <translation>正在导入 {file}：读取文件、把每个节点映射为模块，并与原模型比对输出…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
</context>
<context>
    <name>InsidePanel</name>
    <message>
        <location filename="../../netbuilder/gui/docks/inside.py" line="+61"/>
        <source>Inside the Network</source>
        <extracomment>Runs of one document whose captures are kept (older ones are dropped first). During a run the panel redraws at most this often, however often captures come: a picture needs no animation, and the curves keep the event loop&apos;s budget (pyqtgraph paints through Python, so each redraw waits for the GIL the trainer holds).</extracomment>
        <translation>网络内部</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/docks/inside_controls.py" line="+23"/>
        <source>The block to look inside (or click it on the canvas)</source>
        <translation>要查看内部的模块（也可以在画布上点击它）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Index of the validation sample to look at</source>
        <translation>要查看的验证样本序号</translation>
    </message>
    <message>
        <source>During training, capture the chosen sample every this many steps</source>
        <translation type="vanished">训练时每隔这么多步捕获一次所选样本</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>During training, capture the chosen sample every this many steps (at most four times a second)</source>
        <translation>训练时每隔这么多步捕获一次所选样本（每秒最多四次）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Capture Now</source>
        <translation>立即捕获</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Run the trained model on the chosen sample and show every block&apos;s output</source>
        <translation>用训练好的模型处理所选样本，并显示每个模块的输出</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Block:</source>
        <translation>模块：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sample:</source>
        <translation>样本：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Every:</source>
        <translation>间隔：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>steps</source>
        <translation>步</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/docks/inside.py" line="+203"/>
        <source>Capturing sample {n} …</source>
        <extracomment>run number → its live capture hook; run number → a &quot;Capture now&quot; result</extracomment>
        <translation>正在捕获样本 {n} …</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Cannot capture: {error}</source>
        <translation>无法捕获：{error}</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>trained model</source>
        <translation>训练好的模型</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>step {step}</source>
        <translation>第 {step} 步</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>opened model</source>
        <translation>已打开的模型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{block}: output {shape} for sample {index} ({origin}, {where})</source>
        <translation>{block}：样本 {index} 的输出 {shape}（{origin}，{where}）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Click a block on the canvas to look inside it.</source>
        <translation>在画布上点击一个模块，查看它的内部。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Press Capture Now to see what this block computes.</source>
        <translation>点击“立即捕获”，查看这个模块计算出的结果。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Train the network (its blocks are captured every few steps) or open a trained model, then click a block to see its output.</source>
        <translation>训练网络（每隔几步会捕获各模块的输出）或打开训练好的模型，然后点击一个模块查看它的输出。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Waiting for the first capture of this block …</source>
        <translation>正在等待这个模块的第一次捕获 …</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing captured for this block in this run.</source>
        <translation>本次运行没有捕获到这个模块的内容。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Validation sample {i}: label {label}</source>
        <translation>验证样本 {i}：标签 {label}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>, predicted {p}</source>
        <translation>，预测 {p}</translation>
    </message>
</context>
<context>
    <name>InsideViews</name>
    <message>
        <location filename="../../netbuilder/gui/widgets/feature_grid.py" line="+111"/>
        <source>{shown} of {total} channels, {h}×{w}, each scaled to its own range</source>
        <extracomment>At most this many feature maps are tiled (the rest are counted in the caption). Hidden units drawn in a trace.</extracomment>
        <translation>{total} 个通道中的 {shown} 个，{h}×{w}，各自按自身范围缩放</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Which attention head to show</source>
        <translation>要显示哪个注意力头</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>query position</source>
        <translation>查询位置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>key position</source>
        <translation>键位置</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Head:</source>
        <translation>注意力头：</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Mean of all heads</source>
        <translation>所有头的平均</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Head {n}</source>
        <translation>第 {n} 个头</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>time step</source>
        <translation>时间步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>hidden state</source>
        <translation>隐藏状态</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{n} of the hidden units</source>
        <translation>{n} 个隐藏单元</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>feature</source>
        <translation>特征</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>position</source>
        <translation>位置</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{rows}×{cols} values, from −{b} (blue) to +{b} (red)</source>
        <translation>{rows}×{cols} 个值，从 −{b}（蓝）到 +{b}（红）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>; {n} not finite (NaN or ±Inf), left blank</source>
        <translation>；其中 {n} 个不是有限值（NaN 或 ±Inf），留空显示</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Activations</source>
        <translation>激活值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weight gradients</source>
        <translation>权重梯度</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>mean {mean}
std {std}</source>
        <translation>均值 {mean}
标准差 {std}</translation>
    </message>
</context>
<context>
    <name>InsightViews</name>
    <message>
        <location filename="../../netbuilder/gui/docks/insight_views.py" line="+72"/>
        <source>Find &amp;Learning Rate…</source>
        <translation>寻找学习率(&amp;L)…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Run the learning-rate range test on this diagram and suggest a value</source>
        <translation>对这个网络图做学习率范围测试，并给出建议值</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Overfit One Batch</source>
        <translation>过拟合单个批次(&amp;O)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Check that the network can memorise one batch, naming the cause if not</source>
        <translation>检查网络能否记住一个批次，不能时指出原因</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Look &amp;Inside the Network</source>
        <translation>查看网络内部(&amp;I)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Feature maps, attention, hidden states and histograms of the chosen block</source>
        <translation>所选模块的特征图、注意力、隐藏状态和直方图</translation>
    </message>
</context>
<context>
    <name>Inspector</name>
    <message>
        <location filename="../../netbuilder/gui/docks/inspector.py" line="+103"/>
        <location line="+58"/>
        <source>Select a block to edit it.</source>
        <extracomment>the sub-block&apos;s buttons (node id): the window opens or expands it focus-ins counted: the count when each field last took the focus (see _focus) inside a definition: the shown block&apos;s settings each use sets (param → its name)</extracomment>
        <translation>选择一个模块以编辑它。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+94"/>
        <source>input &lt;b&gt;{port}&lt;/b&gt;: {shape}</source>
        <translation>输入 &lt;b&gt;{port}&lt;/b&gt;：{shape}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>output &lt;b&gt;{port}&lt;/b&gt;: {shape}</source>
        <translation>输出 &lt;b&gt;{port}&lt;/b&gt;：{shape}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>parameters: &lt;b&gt;{count}&lt;/b&gt;</source>
        <translation>参数量：&lt;b&gt;{count}&lt;/b&gt;</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>inferred: {value}</source>
        <translation>推断值：{value}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>inferred</source>
        <translation>自动推断</translation>
    </message>
    <message>
        <location line="-172"/>
        <source>Edit Definition</source>
        <translation>编辑定义</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open this sub-block&apos;s definition on the canvas; every use follows it</source>
        <translation>在画布上打开这个子模块的定义；它的每一处使用都会随之改变</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Expand</source>
        <translation>展开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Replace this use by the blocks it is made of</source>
        <translation>把这处使用替换为组成它的各个模块</translation>
    </message>
    <message>
        <location line="+64"/>
        <source>Each use of {block} sets this (as “{name}”): change it there.</source>
        <translation>{block} 的每一处使用各自设置这个值（即“{name}”）：请在那里修改。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} (per use)</source>
        <translation>{name}（每处使用）</translation>
    </message>
</context>
<context>
    <name>LRFinderPanel</name>
    <message>
        <location filename="../../netbuilder/gui/docks/lr_finder_panel.py" line="+60"/>
        <source>Find Learning Rate</source>
        <extracomment>The tested range (``find_lr``&apos;s defaults, named here for the plot&apos;s axis).</extracomment>
        <translation>寻找学习率</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Train a fresh copy for a few hundred steps while the learning rate grows from 1e-7 to 10, and suggest where the loss falls fastest</source>
        <translation>用一份全新的副本训练几百步，同时把学习率从 1e-7 增大到 10，并建议损失下降最快的位置</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+188"/>
        <source>Apply</source>
        <translation>应用</translation>
    </message>
    <message>
        <location line="-181"/>
        <location line="+168"/>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location line="-159"/>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>smoothed loss</source>
        <translation>平滑后的损失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning-rate finder</source>
        <translation>学习率查找器</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Stop the training first: both would share the CPU.</source>
        <translation>请先停止训练：两者会共用 CPU。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>starting …</source>
        <translation>正在启动 …</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>step {step}/{total} · lr {lr} · loss {loss}</source>
        <translation>第 {step}/{total} 步 · 学习率 {lr} · 损失 {loss}</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cannot find a learning rate: {e}</source>
        <translation>无法找到学习率：{e}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Apply suggested learning rate {lr} (was {old})</source>
        <translation>应用建议的学习率 {lr}（原为 {old}）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Learning rate set to {lr} (Ctrl+Z restores {old}).</source>
        <translation>学习率已设为 {lr}（Ctrl+Z 可恢复为 {old}）。</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Apply {lr}</source>
        <translation>应用 {lr}</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../netbuilder/gui/export_dialog.py" line="-4"/>
        <location filename="../../netbuilder/gui/main_window.py" line="+273"/>
        <source>Trained Model (.pt2, ONNX, Python)…</source>
        <translation>训练好的模型（.pt2、ONNX、Python）…</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/main_window.py" line="-183"/>
        <source>&lt;start&gt;</source>
        <translation>&lt;开始&gt;</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Blocks</source>
        <translation>模块</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Inspector</source>
        <translation>属性检查器</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Problems</source>
        <translation>问题</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <location line="+66"/>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save &amp;As…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+93"/>
        <source>Save &amp;Trained Model…</source>
        <translation>保存训练好的模型(&amp;T)…</translation>
    </message>
    <message>
        <location line="-90"/>
        <source>Save the trained weights, optimizer state and metrics as a .pt checkpoint</source>
        <translation>把训练好的权重、优化器状态和指标保存为 .pt 检查点</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Image (PNG)…</source>
        <translation>图片（PNG）…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Image (SVG)…</source>
        <translation>图片（SVG）…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cu&amp;t</source>
        <translation>剪切(&amp;T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Paste</source>
        <translation>粘贴(&amp;P)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>D&amp;uplicate</source>
        <translation>复制一份(&amp;U)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Select &amp;All</source>
        <translation>全选(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Auto-&amp;layout</source>
        <translation>自动布局(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Add &amp;Block…</source>
        <translation>添加模块(&amp;B)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom &amp;In</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Zoom &amp;Out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Fit to View</source>
        <translation>适合视图(&amp;F)</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Examples</source>
        <translation>示例(&amp;E)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Train</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About NetBuilder</source>
        <translation>关于 NetBuilder(&amp;A)</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Save &amp;Trained Model ({name})…</source>
        <translation>保存训练好的模型（{name}）(&amp;T)…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Trained Model ({name}: .pt2, ONNX, Python)…</source>
        <translation>训练好的模型（{name}：.pt2、ONNX、Python）…</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Clear list</source>
        <translation>清空列表</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Parameters: {count}</source>
        <translation>参数量：{count}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Empty</source>
        <translation>空</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n problem(s)</source>
        <translation>
            <numerusform>%n 个问题</numerusform>
        </translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Valid</source>
        <translation>有效</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Export image</source>
        <translation>导出图片</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot export</source>
        <translation>无法导出</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exported {path}</source>
        <translation>已导出 {path}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>About NetBuilder</source>
        <translation>关于 NetBuilder</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Draw a neural network, see every tensor shape, train it live, export plain PyTorch.</source>
        <translation>画出神经网络，看清每个张量的形状，实时训练，导出纯 PyTorch 代码。</translation>
    </message>
    <message>
        <location line="+73"/>
        <source>Training is running</source>
        <translation>正在训练</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>You can save the best weights trained so far.</source>
        <translation>你可以保存目前训练得到的最佳权重。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop the training and close?</source>
        <translation>要停止训练并关闭吗？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop the training and start a new diagram?</source>
        <translation>要停止训练并新建网络图吗？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop the training and open another diagram?</source>
        <translation>要停止训练并打开另一个网络图吗？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop the training and {verb}?</source>
        <translation>要停止训练并{verb}吗？</translation>
    </message>
</context>
<context>
    <name>MakeSubBlockDialog</name>
    <message>
        <location filename="../../netbuilder/gui/subblocks/dialog.py" line="+79"/>
        <source>Make Sub-block</source>
        <extracomment>one exposable setting: (node id, parameter name)</extracomment>
        <translation>创建子模块</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Expose</source>
        <translation>公开</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Name on the new block</source>
        <translation>在新模块上的名称</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Double-click to rename; one name sets them together</source>
        <translation>双击可重命名；同名的设置会一起设置</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>The selected blocks become one block type, listed under “My blocks” in the palette. Its inputs and outputs are the wires that cross the selection. Ticked settings can differ between uses; the others are the same everywhere. Ticked settings with the same name are set together.</source>
        <translation>所选模块将合成一种模块类型，列在模块面板的“我的模块”下。它的输入和输出就是穿过所选范围的连线。勾选的设置在各处使用中可以不同，其余设置处处相同。同名的勾选设置会一起设置。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>The setting name “{name}” must be one word (letters, digits, _).</source>
        <translation>设置名“{name}”必须是一个词（字母、数字、_）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The settings named “{name}” are of different kinds.</source>
        <translation>名为“{name}”的几个设置类型不同。</translation>
    </message>
</context>
<context>
    <name>ModuleImportDialog</name>
    <message>
        <location filename="../../netbuilder/gui/import_dialog.py" line="-293"/>
        <source>Importing a Python file &lt;b&gt;runs its code&lt;/b&gt; (the file, the class&apos;s constructor and its forward pass) with your permissions. Only import code you trust.</source>
        <translation>导入 Python 文件会以你的权限&lt;b&gt;运行其中的代码&lt;/b&gt;（文件本身、类的构造函数及其前向传播）。只导入你信任的代码。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Import {file}</source>
        <translation>导入 {file}</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>[] or {&quot;num_classes&quot;: 10}  (JSON, optional)</source>
        <translation>[] 或 {&quot;num_classes&quot;: 10}（JSON，可选）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>1x3x224x224  (batch first; 1x32:long for tokens)</source>
        <translation>1x3x224x224（批维度在前；词元用 1x32:long）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Class:</source>
        <translation>类：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Arguments:</source>
        <translation>参数：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Input shape:</source>
        <translation>输入形状：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Keep operations without a block as marked Python ops (they need this file)</source>
        <translation>把没有对应模块的操作保留为标记的 Python 操作（需要此文件）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Make sub-blocks of repeated modules (one definition per class wired alike)</source>
        <translation>把重复的 PyTorch 模块做成子模块（同一个类、连接方式相同的调用共用一个定义）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Run and Import</source>
        <translation>运行并导入</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Give the name of the nn.Module class to import.</source>
        <translation>请给出要导入的 nn.Module 类名。</translation>
    </message>
</context>
<context>
    <name>NodeItem</name>
    <message>
        <location filename="../../netbuilder/gui/canvas/node_item.py" line="+87"/>
        <source>auto</source>
        <extracomment>below this zoom the card&apos;s 8-point lines are too small to read: the card shows only its type and output size, in a font as large as the card allows (level of detail)</extracomment>
        <translation>自动</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+229"/>
        <source>{count} params</source>
        <translation>{count} 个参数</translation>
    </message>
</context>
<context>
    <name>OverfitPanel</name>
    <message>
        <location filename="../../netbuilder/gui/docks/overfit_panel.py" line="+37"/>
        <source>Overfit One Batch</source>
        <translation>过拟合单个批次</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Train on one small batch with these settings: a network that can learn drives its loss close to zero; if it cannot, the likely cause is named</source>
        <translation>用这些设置在一个小批次上训练：能学习的网络会把损失降到接近零；如果做不到，会指出可能的原因</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>step</source>
        <translation>步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loss on one batch</source>
        <translation>单个批次上的损失</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Stop the training first: both would share the CPU.</source>
        <translation>请先停止训练：两者会共用 CPU。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Training on one batch …</source>
        <translation>正在单个批次上训练 …</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Cannot run the check: {e}</source>
        <translation>无法运行检查：{e}</translation>
    </message>
</context>
<context>
    <name>Palette</name>
    <message>
        <location filename="../../netbuilder/gui/docks/palette.py" line="+67"/>
        <source>Search blocks…</source>
        <extracomment>the untranslated category and description, so English search words find blocks in any language right-click on one of &quot;My blocks&quot;: open its definition / rename it / delete it (unused only)</extracomment>
        <translation>搜索模块…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>My blocks</source>
        <extracomment>the document&apos;s sub-blocks and, in a body, the port blocks (rebuilt per level)</extracomment>
        <translation>我的模块</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sub-block ports</source>
        <translation>子模块端口</translation>
    </message>
    <message>
        <location line="+90"/>
        <source>Edit Definition</source>
        <translation>编辑定义</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Give this block type another name; every use follows</source>
        <translation>给这个模块类型换个名字；所有用到它的地方随之更新</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete Sub-block</source>
        <translation>删除子模块</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Still used: delete or expand its uses first</source>
        <translation>仍在使用中：请先删除或展开它的各处使用</translation>
    </message>
</context>
<context>
    <name>ParamEditors</name>
    <message>
        <location filename="../../netbuilder/gui/widgets/param_editors.py" line="+54"/>
        <source>&apos;{name}&apos; must be a number, not {text}</source>
        <extracomment>what may stand in the box while a number is being typed: &quot;-&quot;, &quot;1.&quot;, &quot;1e&quot;, &quot;1e-&quot;, &quot;.5&quot;</extracomment>
        <translation>“{name}”必须是数字，而不是 {text}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&apos;{name}&apos; cannot be {text}</source>
        <translation>“{name}”不能是 {text}</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>auto</source>
        <extracomment>what the &quot;auto&quot; position reads in the interface&apos;s language (&quot;auto&quot; is read too)</extracomment>
        <translation>自动</translation>
    </message>
</context>
<context>
    <name>PreferencesDialog</name>
    <message>
        <location filename="../../netbuilder/gui/preferences.py" line="+33"/>
        <source>Preferences</source>
        <translation>首选项</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>System default ({language})</source>
        <translation>跟随系统（{language}）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Interface language:</source>
        <translation>界面语言：</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>The new language is used when NetBuilder starts again.</source>
        <translation>新的语言将在 NetBuilder 下次启动时生效。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This start uses {language} because of --lang or {variable}, which take precedence over this choice.</source>
        <translation>本次启动使用{language}，因为设置了 --lang 或 {variable}，它们优先于此处的选择。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>&amp;Preferences…</source>
        <translation>首选项(&amp;P)…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose the interface language</source>
        <translation>选择界面语言</translation>
    </message>
</context>
<context>
    <name>ProbabilityBars</name>
    <message>
        <location filename="../../netbuilder/gui/widgets/try_it.py" line="+86"/>
        <source>no prediction</source>
        <translation>没有预测结果</translation>
    </message>
</context>
<context>
    <name>ProblemsList</name>
    <message>
        <location filename="../../netbuilder/gui/docks/problems.py" line="+74"/>
        <source>No problems found.</source>
        <extracomment>a problem inside a sub-block: the instances leading to it, then the inner block rows other parts add (e.g. gradient health of the shown run): source → rows of (node id, text, tooltip), listed as warnings after the check&apos;s own diagnostics</extracomment>
        <translation>没有发现问题。</translation>
    </message>
</context>
<context>
    <name>ProcessRun</name>
    <message>
        <location filename="../../netbuilder/gui/process_run.py" line="+244"/>
        <source>the training processes ended without a result</source>
        <translation>训练进程结束了，但没有结果</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>no output</source>
        <translation>没有输出</translation>
    </message>
</context>
<context>
    <name>Recovery</name>
    <message>
        <location filename="../../netbuilder/gui/recovery.py" line="+197"/>
        <source> (recovered)</source>
        <translation>（已恢复）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Recover unsaved work</source>
        <translation>恢复未保存的工作</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Recover</source>
        <translation>恢复</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Discard</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Later</source>
        <translation>稍后</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{name} (autosaved {when})</source>
        <translation>{name}（自动保存于 {when}）</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Could not read autosaved {names}: moved to {folder}</source>
        <translation>无法读取自动保存的 {names}：已移到 {folder}</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>The autosaved trained weights were unreadable: {reason}</source>
        <translation>自动保存的训练权重无法读取：{reason}</translation>
    </message>
</context>
<context>
    <name>ResultsArea</name>
    <message>
        <location filename="../../netbuilder/gui/docks/training_runs.py" line="+191"/>
        <source>Curves</source>
        <translation>曲线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Evaluation</source>
        <translation>评估</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compare runs</source>
        <translation>比较运行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Try it</source>
        <translation>试一试</translation>
    </message>
</context>
<context>
    <name>RunComparison</name>
    <message>
        <location line="-46"/>
        <source>Select two runs in the run list to see what changed between them.</source>
        <translation>在运行列表中选择两次运行，查看它们之间的差别。</translation>
    </message>
</context>
<context>
    <name>RunControls</name>
    <message>
        <location filename="../../netbuilder/gui/docks/training_controls.py" line="+48"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Train the diagram on screen with these settings (F5)</source>
        <translation>用这些设置训练屏幕上的网络图（F5）</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+149"/>
        <location line="+4"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location line="-151"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+78"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="-75"/>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Score this diagram&apos;s trained weights (e.g. from an opened .pt) on the validation part of the chosen dataset</source>
        <translation>在所选数据集的验证部分上评估此网络图的训练权重（例如来自打开的 .pt 文件）</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Start Training</source>
        <translation>开始训练(&amp;S)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Pause/Resume Training</source>
        <translation>暂停/继续训练(&amp;P)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>S&amp;top Training</source>
        <translation>停止训练(&amp;T)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Evaluate Trained Model</source>
        <translation>评估训练好的模型(&amp;E)</translation>
    </message>
    <message>
        <location line="+15"/>
        <location line="+57"/>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location line="-17"/>
        <source>Export {model}…</source>
        <extracomment>the step line without the paused note, while a run shows steps</extracomment>
        <translation>导出 {model}…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Export {model} as .pt2 (torch.export), ONNX or Python source, reloaded and checked against the model here</source>
        <translation>把 {model} 导出为 .pt2（torch.export）、ONNX 或 Python 源码，并重新加载、与这里的模型比对</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No trained model of this diagram yet</source>
        <translation>此网络图还没有训练好的模型</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>starting …</source>
        <translation>正在启动 …</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>epoch {epoch}/{epochs} · step {step}/{steps} · ETA {eta}</source>
        <translation>第 {epoch}/{epochs} 轮 · 第 {step}/{steps} 步 · 预计剩余 {eta}</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{rate} samples/s · loss {loss}</source>
        <translation>{rate} 样本/秒 · 损失 {loss}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source> · paused</source>
        <translation> · 已暂停</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Device: {device}</source>
        <translation>设备：{device}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
</context>
<context>
    <name>RunList</name>
    <message>
        <location filename="../../netbuilder/gui/docks/training_runs.py" line="-115"/>
        <source>run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>best</source>
        <translation>最佳</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>params</source>
        <translation>参数量</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Runs of this diagram: select to overlay their curves, two to compare</source>
        <translation>此网络图的各次运行：选中以叠加显示曲线，选两次以比较</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>ep {epoch} · {score}</source>
        <translation>第 {epoch} 轮 · {score}</translation>
    </message>
    <message>
        <location line="+46"/>
        <source>{dataset} · {optimizer} lr {lr} · batch {batch} · {epochs} epochs</source>
        <translation>{dataset} · {optimizer} 学习率 {lr} · 批大小 {batch} · {epochs} 轮</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>on {device} in {seconds} s</source>
        <translation>在 {device} 上用时 {seconds} 秒</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>error: {reason}</source>
        <translation>错误：{reason}</translation>
    </message>
</context>
<context>
    <name>RunResults</name>
    <message>
        <location filename="../../netbuilder/gui/docks/training_results.py" line="+27"/>
        <source>training failed</source>
        <translation>训练失败</translation>
    </message>
</context>
<context>
    <name>RunStatus</name>
    <message>
        <location filename="../../netbuilder/gui/i18n.py" line="-71"/>
        <source>completed</source>
        <extracomment>QSettings key of the Preferences choice: &quot;&quot; follows the system, else a language code Debian&apos;s package with the fonts Chinese text needs on a minimal system</extracomment>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>early stopped</source>
        <translation>已提前停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
</context>
<context>
    <name>RunWatch</name>
    <message>
        <location filename="../../netbuilder/gui/run_watch.py" line="+105"/>
        <source>watching {folder}: {diagram}</source>
        <extracomment>Bytes read per timer tick: ~2000 step lines, parsed in a few milliseconds.</extracomment>
        <translation>正在观察 {folder}：{diagram}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>saved {path}</source>
        <translation>已保存 {path}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>nothing saved</source>
        <translation>未保存任何内容</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>watched run {status}</source>
        <translation>观察的运行{status}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&amp;Watch Run…</source>
        <translation>观察运行(&amp;W)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Follow the curves of a run started elsewhere (a terminal, torchrun, a cluster): choose its MODEL.pt.run folder</source>
        <translation>跟踪在别处（终端、torchrun、集群）启动的运行的曲线：选择它的 MODEL.pt.run 文件夹</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Watch a run folder (MODEL.pt.run)</source>
        <translation>观察运行文件夹（MODEL.pt.run）</translation>
    </message>
    <message>
        <location line="+16"/>
        <location line="+9"/>
        <source>Watch Run</source>
        <translation>观察运行</translation>
    </message>
    <message>
        <location line="-8"/>
        <source>A training run is in progress here; stop it first.</source>
        <translation>这里正在进行训练；请先停止它。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{folder} holds no {events} yet; choose the MODEL.pt.run folder that &apos;netbuilder train&apos; writes beside its checkpoint. Watching it anyway: the curves appear when the run starts.</source>
        <translation>{folder} 中还没有 {events}；请选择“netbuilder train”在检查点旁写出的 MODEL.pt.run 文件夹。仍会继续观察：运行开始后曲线就会出现。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Run finished</source>
        <translation>运行结束</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The watched run saved {file}. Open it?</source>
        <translation>观察的运行已保存 {file}。要打开它吗？</translation>
    </message>
</context>
<context>
    <name>Runs</name>
    <message>
        <location filename="../../netbuilder/gui/i18n.py" line="+79"/>
        <source>run {number}</source>
        <translation>运行 {number}</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>accuracy {accuracy}</source>
        <translation>准确率 {accuracy}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>loss {loss}</source>
        <translation>损失 {loss}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{blocks} blocks, {params} parameters</source>
        <translation>{blocks} 个模块，{params} 个参数</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>best epoch {epoch}</source>
        <translation>最佳轮次 {epoch}</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{name}: {train} training / {val} validation samples</source>
        <translation>{name}：{train} 个训练样本 / {val} 个验证样本</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>classification, {n} classes</source>
        <translation>分类，{n} 个类别</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>regression</source>
        <translation>回归</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>predicted peak training memory {total} at batch size {batch} on {device}</source>
        <translation>预计训练内存峰值 {total}（批大小 {batch}，设备 {device}）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{head} (free memory unknown)</source>
        <translation>{head}（空闲内存未知）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>; largest batch that fits: {batch}</source>
        <translation>；能放下的最大批大小：{batch}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{head}: fits in {free} free{largest}</source>
        <translation>{head}：空闲的 {free} 足够{largest}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>warning: {head} may not fit in {free} free{largest} (training can still be started)</source>
        <translation>警告：{head}，空闲的 {free} 可能不够{largest}（仍可开始训练）</translation>
    </message>
</context>
<context>
    <name>SanityChecks</name>
    <message>
        <location filename="../../netbuilder/gui/docks/insight_views.py" line="-38"/>
        <source>Checks</source>
        <translation>检查</translation>
    </message>
</context>
<context>
    <name>Scope</name>
    <message>
        <location filename="../../netbuilder/gui/subblocks/scope.py" line="+86"/>
        <source>Network</source>
        <extracomment>the check of the open level (re-emitted from the session&apos;s check, or on opening)</extracomment>
        <translation>网络</translation>
    </message>
</context>
<context>
    <name>Session</name>
    <message>
        <location filename="../../netbuilder/gui/recovery.py" line="-194"/>
        <location filename="../../netbuilder/gui/session.py" line="+55"/>
        <location line="+58"/>
        <source>Untitled</source>
        <extracomment>another document replaced this one (New, Open, recovery): runs and weights are its own
----------
where Save As proposes to save a diagram that has no file yet (a recovered one) every training run of this document in this session (and those saved in its .pt) the run whose weights ``state_dict`` holds (None: no weights, or from an old .pt) weights from a run in this window that are not in any .pt yet: closing asks first which level the canvas edits: the network or an opened sub-block definition</extracomment>
        <translation>未命名</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/session.py" line="+95"/>
        <source>the opened model</source>
        <translation>已打开的模型</translation>
    </message>
</context>
<context>
    <name>Settings</name>
    <message>
        <location filename="../../netbuilder/gui/docks/training_settings.py" line="+40"/>
        <source>Change training setting {name}</source>
        <translation>更改训练设置 {name}</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/i18n.py" line="-152"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loss</source>
        <translation>损失函数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Epochs</source>
        <translation>训练轮数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scheduler</source>
        <translation>学习率调度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Early stopping</source>
        <translation>提前停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Grad clip</source>
        <translation>梯度裁剪</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mixed precision</source>
        <translation>混合精度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Validation split</source>
        <translation>验证集比例</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Size</source>
        <translation>样本数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Data seed</source>
        <translation>数据随机种子</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resize shorter side</source>
        <translation>短边缩放到</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Greyscale</source>
        <translation>灰度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Normalise</source>
        <translation>归一化</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cache limit (MB)</source>
        <translation>缓存上限（MB）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decoding workers</source>
        <translation>解码线程数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Target column</source>
        <translation>目标列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Missing cells</source>
        <translation>缺失值</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Processes</source>
        <translation>进程数</translation>
    </message>
</context>
<context>
    <name>StartFrom</name>
    <message>
        <location filename="../../netbuilder/gui/docks/training_start.py" line="+73"/>
        <source> (kept: {blocks})</source>
        <extracomment>the optimizer&apos;s statistics, only when the diagram is unchanged (else they do not fit) True for the same network trained further (its metrics history goes on); False for an edited diagram fine-tuned from the weights that still fit</extracomment>
        <translation>（保留：{blocks}）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Fine-tuning the edited diagram: {summary}{kept}.</source>
        <translation>微调改动后的网络图：{summary}{kept}。</translation>
    </message>
</context>
<context>
    <name>StartFromChoice</name>
    <message>
        <location line="+18"/>
        <source>current weights</source>
        <translation>当前权重</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fresh weights</source>
        <translation>全新权重</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Current weights: continue training the trained network (after edits, blocks that changed start fresh). Fresh weights: train from a new random start.</source>
        <translation>当前权重：继续训练已训练的网络（改动后，变化了的模块从头开始）。全新权重：从新的随机初始值开始训练。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Start from:</source>
        <translation>起点：</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <location filename="../../netbuilder/gui/startup.py" line="+56"/>
        <source>NetBuilder cannot open this</source>
        <translation>NetBuilder 无法打开它</translation>
    </message>
</context>
<context>
    <name>SubBlockUi</name>
    <message>
        <location filename="../../netbuilder/gui/subblocks/actions.py" line="+76"/>
        <source>Make &amp;Sub-block…</source>
        <extracomment>what the last Make Sub-block asked (tests and scripts answer it themselves) asks a sub-block&apos;s new name (old name → new name, or None: cancelled) each level&apos;s zoom and centre when it was left (so going back returns to it)</extracomment>
        <translation>创建子模块(&amp;S)…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Turn the selected blocks into a reusable block type (listed under My blocks)</source>
        <translation>把所选模块变成可复用的模块类型（列在“我的模块”下）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>E&amp;xpand Sub-block</source>
        <translation>展开子模块(&amp;X)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Replace the selected sub-blocks by the blocks they are made of</source>
        <translation>把所选子模块替换为组成它们的各个模块</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Edit De&amp;finition</source>
        <translation>编辑定义(&amp;F)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open the selected sub-block&apos;s definition on the canvas; every use follows</source>
        <translation>在画布上打开所选子模块的定义；每一处使用都会随之改变</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Back to Enclosing Network</source>
        <translation>返回外层网络(&amp;B)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Close the open sub-block definition (Esc, Alt+Up)</source>
        <translation>关闭打开的子模块定义（Esc，Alt+Up）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location line="+112"/>
        <source>{type} {id} cannot go inside a sub-block: leave inputs and outputs out of the selection</source>
        <translation>{type} {id} 不能放进子模块：请不要把输入和输出选进去</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Make sub-block {name}</source>
        <translation>创建子模块 {name}</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Expand {node}</source>
        <translation>展开 {node}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Expand {n} sub-blocks</source>
        <translation>展开 {n} 个子模块</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Delete sub-block {name}</source>
        <translation>删除子模块 {name}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Rename Sub-block</source>
        <translation>重命名子模块</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>New name for {name} (every use is renamed too):</source>
        <translation>{name} 的新名字（所有用到它的地方也一并改名）：</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Rename sub-block {name} to {new}</source>
        <translation>将子模块 {name} 重命名为 {new}</translation>
    </message>
</context>
<context>
    <name>TrainingCurves</name>
    <message>
        <location filename="../../netbuilder/gui/docks/curves.py" line="+74"/>
        <source>Log-y</source>
        <extracomment>The learning-rate curve changes slowly; redrawing its plot twice a second is plenty and keeps a third of the plot area out of most frames.</extracomment>
        <translation>对数 y 轴</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Logarithmic loss axis (useful once the loss spans decades)</source>
        <translation>损失使用对数坐标轴（损失跨越多个数量级时有用）</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Weight of the debiased exponential moving average over the training loss (0 = raw values; as TensorBoard&apos;s smoothing)</source>
        <translation>训练损失的去偏指数移动平均的权重（0 = 原始值；与 TensorBoard 的平滑相同）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Smoothing</source>
        <translation>平滑</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>train (per step)</source>
        <translation>训练（每步）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>train (smoothed)</source>
        <translation>训练（平滑）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+2"/>
        <source>validation</source>
        <translation>验证</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/docks/curve_overlays.py" line="+33"/>
        <location filename="../../netbuilder/gui/docks/curves.py" line="-1"/>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/docks/curves.py" line="+63"/>
        <source>run {number}</source>
        <translation>运行 {number}</translation>
    </message>
    <message>
        <location line="+117"/>
        <source>best epoch: {epoch}</source>
        <translation>最佳轮次：{epoch}</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/docks/curve_overlays.py" line="+1"/>
        <source>val</source>
        <translation>验证</translation>
    </message>
</context>
<context>
    <name>TrainingInsight</name>
    <message>
        <location filename="../../netbuilder/gui/docks/training_insight.py" line="+17"/>
        <source>Gradient flow</source>
        <translation>梯度流</translation>
    </message>
</context>
<context>
    <name>TrainingRunner</name>
    <message>
        <location filename="../../netbuilder/gui/worker.py" line="+345"/>
        <source>training thread ended without result</source>
        <extracomment>makes each run&apos;s step hooks, given the event buffer&apos;s ``append`` (gui.health_view) called at each start for the run&apos;s TrainHooks (views that look inside add theirs)</extracomment>
        <translation>训练线程结束了，但没有结果</translation>
    </message>
</context>
<context>
    <name>TrainingStatus</name>
    <message>
        <location filename="../../netbuilder/gui/docks/training_status.py" line="+28"/>
        <source>, accuracy {accuracy}</source>
        <translation>，准确率 {accuracy}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source> (best)</source>
        <translation>（最佳）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>epoch {epoch}/{epochs}: validation loss {loss}</source>
        <translation>第 {epoch}/{epochs} 轮：验证损失 {loss}</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>unavailable ({reason})</source>
        <translation>不可用（{reason}）</translation>
    </message>
</context>
<context>
    <name>TrainingWorker</name>
    <message>
        <location filename="../../netbuilder/gui/worker.py" line="-202"/>
        <source>Internal error: {reason}</source>
        <extracomment>Upper bound on GUI updates per second (DESIGN rule 8: &quot;at most ~30 times a second&quot;). GIL switch interval while a run is going (see the module docstring). the checkpoint the run wrote itself (a multi-process run&apos;s rank 0), to act on as is</extracomment>
        <translation>内部错误：{reason}</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>training failed</source>
        <translation>训练失败</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Evaluating on the validation set …</source>
        <translation>正在验证集上评估 …</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Evaluation failed: {reason}</source>
        <translation>评估失败：{reason}</translation>
    </message>
</context>
<context>
    <name>TrainingWorkspace</name>
    <message>
        <location filename="../../netbuilder/gui/docks/training.py" line="+183"/>
        <source>Cannot start from the current weights: {reason}</source>
        <translation>无法从当前权重开始：{reason}</translation>
    </message>
    <message>
        <location line="+18"/>
        <source> from the current weights</source>
        <translation>，从当前权重开始</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n epoch(s)</source>
        <translation>
            <numerusform>%n 轮</numerusform>
        </translation>
    </message>
    <message>
        <location line="+25"/>
        <source>stopping …</source>
        <translation>正在停止 …</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/docks/training_feed.py" line="+94"/>
        <source>, best epoch {epoch}</source>
        <translation>，最佳轮次 {epoch}</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{status} in {seconds} s</source>
        <translation>{status}，用时 {seconds} 秒</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/docks/training.py" line="+69"/>
        <source>Keep this model with File › Save Trained Model… (Ctrl+Alt+S).</source>
        <translation>用“文件 › 保存训练好的模型…”（Ctrl+Alt+S）保留这个模型。</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>The diagram changed since this run started; the running training is unaffected and your edits apply to the next run.</source>
        <translation>本次运行开始后网络图已改动；正在进行的训练不受影响，你的改动将用于下一次运行。</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/docks/training_evaluate.py" line="+64"/>
        <source>evaluating the trained weights …</source>
        <extracomment>(Evaluation or None, whether it is of the document still shown)</extracomment>
        <translation>正在评估训练好的权重 …</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Evaluation failed: {reason}</source>
        <translation>评估失败：{reason}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>evaluation done</source>
        <translation>评估完成</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/docks/training_feed.py" line="-26"/>
        <source>Training failed (block &apos;{node}&apos;): {reason}</source>
        <translation>训练失败（模块“{node}”）：{reason}</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Training failed: {reason}</source>
        <translation>训练失败：{reason}</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>failed: {reason}</source>
        <translation>失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../netbuilder/gui/docks/training.py" line="-144"/>
        <source> on {n} processes</source>
        <translation>，使用 {n} 个进程</translation>
    </message>
    <message>
        <location line="-31"/>
        <source>Training on several processes from the app needs Linux or macOS here; set Processes to 1.</source>
        <extracomment>The settings column: four preview thumbnails and the form, unclipped, and no wider.</extracomment>
        <translation>在此处从应用内用多个进程训练需要 Linux 或 macOS；请把“进程数”设为 1。</translation>
    </message>
</context>
<context>
    <name>TryItFeed</name>
    <message>
        <location filename="../../netbuilder/gui/docks/training_try_it.py" line="+51"/>
        <source>The trained model cannot be used here: {reason}</source>
        <translation>训练好的模型无法在这里使用：{reason}</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Reading how the training data was prepared…</source>
        <translation>正在读取训练数据的预处理方式…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The training data could not be read again: inputs are not normalised (this older .pt did not record how they were prepared).</source>
        <translation>无法再次读取训练数据：输入未归一化（这个较旧的 .pt 没有记录它们的预处理方式）。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The input preparation is unknown: {reason}</source>
        <translation>输入的预处理方式未知：{reason}</translation>
    </message>
</context>
<context>
    <name>TryItPanel</name>
    <message>
        <location filename="../../netbuilder/gui/widgets/try_it.py" line="+55"/>
        <source>Choose Images…</source>
        <translation>选择图片…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Predict the classes of image files</source>
        <translation>预测图片文件的类别</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Predict</source>
        <translation>预测</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Predict for the typed row or text (Enter)</source>
        <translation>对输入的行或文本进行预测（Enter）</translation>
    </message>
    <message>
        <location line="+79"/>
        <source>token ids separated by spaces, e.g. 3 17 5</source>
        <translation>用空格分隔的词元 ID，例如 3 17 5</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>this model does not take images</source>
        <translation>这个模型不接受图片</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>no image files to predict</source>
        <translation>没有可预测的图片文件</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>this model does not take typed rows or texts</source>
        <translation>这个模型不接受输入的行或文本</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Train a model (or open a .pt) to try it on your own inputs.</source>
        <translation>训练一个模型（或打开一个 .pt），用你自己的输入试一试。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Drop image files or folders here, or choose them: each is resized and cropped as in training.</source>
        <translation>把图片文件或文件夹拖到这里，或者选择它们：每张图片都会像训练时一样缩放和裁剪。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Type one row: values of {columns} in this order, separated by commas, or name=value pairs.</source>
        <translation>输入一行：按顺序给出 {columns} 的值，用逗号分隔，或者写成 名称=值 对。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Type a text of token ids separated by spaces (shorter texts are padded).</source>
        <translation>输入用空格分隔的词元 ID 文本（较短的文本会被填充）。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Try it takes images, table rows or token texts; this model&apos;s input is a {kind}</source>
        <translation>“试一试”接受图片、表格行或词元文本；这个模型的输入是 {kind}</translation>
    </message>
    <message>
        <location line="+88"/>
        <source>Choose Images</source>
        <translation>选择图片</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Images ({patterns})</source>
        <translation>图片 ({patterns})</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>{cell} is not a name=value pair</source>
        <translation>{cell} 不是 名称=值 对</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>type a row of values first</source>
        <translation>请先输入一行数值</translation>
    </message>
</context>
<context>
    <name>WelcomePanel</name>
    <message>
        <location filename="../../netbuilder/gui/canvas/welcome.py" line="+34"/>
        <source>Start a network</source>
        <translation>开始搭建网络</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Drag a block from the palette onto the canvas, or double-click the canvas (or press Tab) and type its name. Drag from a block&apos;s right port to the next block&apos;s left port to wire them.&lt;br&gt;&lt;br&gt;Or open an example: each one trains on a built-in dataset with one click on &lt;b&gt;Start&lt;/b&gt;.</source>
        <translation>从模块面板把模块拖到画布上，或者双击画布（或按 Tab）并输入模块名。从一个模块右侧的端口拖到下一个模块左侧的端口即可连线。&lt;br&gt;&lt;br&gt;也可以打开一个示例：每个示例都在内置数据集上训练，只需点击&lt;b&gt;开始&lt;/b&gt;。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Opens {file} as a new, unsaved diagram.</source>
        <translation>把 {file} 作为一个新的、未保存的网络图打开。</translation>
    </message>
</context>
<context>
    <name>WireFit</name>
    <message>
        <location filename="../../netbuilder/gui/canvas/fit.py" line="+44"/>
        <source>{type} has no input &apos;{port}&apos;</source>
        <translation>{type} 没有输入“{port}”</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>{type} cannot take these inputs ({reason})</source>
        <translation>{type} 不能接受这些输入（{reason}）</translation>
    </message>
</context>
<context>
    <name>Workspaces</name>
    <message>
        <location filename="../../netbuilder/gui/workspaces.py" line="+51"/>
        <source>&amp;Design Workspace</source>
        <translation>设计工作区(&amp;D)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Draw the network: canvas, blocks, inspector, problems</source>
        <translation>绘制网络：画布、模块、属性、问题</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Training Workspace</source>
        <translation>训练工作区(&amp;T)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Train the network: settings, curves, evaluation, runs</source>
        <translation>训练网络：设置、曲线、评估、运行记录</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Design</source>
        <translation>设计</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Design workspace (Ctrl+1)</source>
        <translation>设计工作区（Ctrl+1）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Training workspace (Ctrl+2)</source>
        <translation>训练工作区（Ctrl+2）</translation>
    </message>
</context>
<context>
    <name>checks</name>
    <message>
        <source>Checks</source>
        <translation type="vanished">检查</translation>
    </message>
</context>
<context>
    <name>flow</name>
    <message>
        <source>Gradient flow</source>
        <translation type="vanished">梯度流</translation>
    </message>
</context>
</TS>
